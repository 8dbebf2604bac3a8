package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

type modelsAPI interface {
	GetFoundationModel(context.Context, *bedrock.GetFoundationModelInput, ...func(*bedrock.Options)) (*bedrock.GetFoundationModelOutput, error)
	GetFoundationModelAvailability(context.Context, *bedrock.GetFoundationModelAvailabilityInput, ...func(*bedrock.Options)) (*bedrock.GetFoundationModelAvailabilityOutput, error)
	GetInferenceProfile(context.Context, *bedrock.GetInferenceProfileInput, ...func(*bedrock.Options)) (*bedrock.GetInferenceProfileOutput, error)
}

// checkModels checks every configured model and inference profile, one row each.
func checkModels(ctx context.Context, api modelsAPI, env config.Environment) []checklist.Row {
	var rows []checklist.Row
	for _, m := range env.Models {
		rows = append(rows, checkModel(ctx, api, env, m))
	}
	for _, p := range env.InferenceProfiles {
		rows = append(rows, checkProfile(ctx, api, env, p))
	}
	return rows
}

// Bedrock answers an identifier it does not know with either of these.
var unknownModel = []string{"ResourceNotFoundException", "ValidationException"}

// checkModel confirms the account can invoke the foundation model on demand in the region.
func checkModel(ctx context.Context, api modelsAPI, env config.Environment, model string) checklist.Row {
	const name = "Model"
	out, err := api.GetFoundationModel(ctx, &bedrock.GetFoundationModelInput{ModelIdentifier: aws.String(model)})
	if hasCode(err, unknownModel...) {
		return checklist.Fail(name, model+": no such model in "+env.Region+" ("+reason(err)+")",
			"correct the ID in models: aws bedrock list-foundation-models --region "+env.Region+" lists the region's models")
	}
	if err != nil {
		return unchecked(name, model, err)
	}
	var problems, fixes []string
	if !slices.Contains(out.ModelDetails.InferenceTypesSupported, types.InferenceTypeOnDemand) {
		problems = append(problems, "not invocable on demand")
		fixes = append(fixes, fmt.Sprintf("invoke it through a cross-region inference profile, e.g. %s.%s, in inferenceProfiles instead of models", geography(env.Region), model))
	}
	availability, err := api.GetFoundationModelAvailability(ctx, &bedrock.GetFoundationModelAvailabilityInput{ModelId: aws.String(model)})
	if err != nil {
		return unchecked(name, model, err)
	}
	if availability.RegionAvailability != types.RegionAvailabilityAvailable {
		problems = append(problems, "not available in "+env.Region)
		fixes = append(fixes, "choose a model offered in "+env.Region+", or a cross-region inference profile")
	}
	p, f := access(availability)
	problems, fixes = append(problems, p...), append(fixes, f...)
	if len(problems) > 0 {
		return checklist.Fail(name, model+": "+strings.Join(problems, "; "), strings.Join(fixes, "; "))
	}
	if out.ModelDetails.ModelLifecycle != nil && out.ModelDetails.ModelLifecycle.Status == types.FoundationModelLifecycleStatusLegacy {
		return checklist.Warn(name, model+": on demand, access authorized, but the model is legacy and will be retired",
			"plan the move to its successor; Bedrock's model lifecycle page gives the end-of-life date")
	}
	return checklist.Pass(name, model+": on demand, access authorized")
}

// checkProfile confirms the inference profile exists in the region, routes only to the regions the
// endpoint and role policies allow its model in, and that the account may use its model.
func checkProfile(ctx context.Context, api modelsAPI, env config.Environment, profile config.InferenceProfile) checklist.Row {
	const name = "Inference profile"
	out, err := api.GetInferenceProfile(ctx, &bedrock.GetInferenceProfileInput{InferenceProfileIdentifier: aws.String(profile.ID)})
	if hasCode(err, unknownModel...) {
		return checklist.Fail(name, profile.ID+": no such inference profile in "+env.Region+" ("+reason(err)+")",
			"correct the ID in inferenceProfiles: aws bedrock list-inference-profiles --region "+env.Region+" lists the region's profiles")
	}
	if err != nil {
		return unchecked(name, profile.ID, err)
	}
	var routes []string
	for _, m := range out.Models {
		// arn:aws:bedrock:<region>::foundation-model/<model>
		if parts := strings.Split(aws.ToString(m.ModelArn), ":"); len(parts) > 3 && parts[3] != "" {
			routes = append(routes, parts[3])
		}
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)
	var problems, fixes []string
	// The policies allow the model in each destination region; a global profile's region-less model ARN
	// covers wherever it routes.
	extra := slices.DeleteFunc(slices.Clone(routes), func(r string) bool { return slices.Contains(profile.DestinationRegions, r) })
	if len(extra) > 0 && !strings.HasPrefix(profile.ID, "global.") {
		problems = append(problems, fmt.Sprintf("routes to %s too, which destinationRegions lacks: the endpoint and "+
			"role policies would deny the calls served there", strings.Join(extra, ", ")))
		fixes = append(fixes, "set destinationRegions to "+strings.Join(routes, ", "))
	}
	model := profile.ModelID()
	availability, err := api.GetFoundationModelAvailability(ctx, &bedrock.GetFoundationModelAvailabilityInput{ModelId: aws.String(model)})
	if err != nil {
		return unchecked(name, profile.ID, err)
	}
	if p, f := access(availability); len(p) > 0 {
		problems = append(problems, "model "+model+": "+strings.Join(p, ", "))
		fixes = append(fixes, f...)
	}
	if len(problems) > 0 {
		return checklist.Fail(name, profile.ID+": "+strings.Join(problems, "; "), strings.Join(fixes, "; "))
	}
	return checklist.Pass(name, fmt.Sprintf("%s: routes to %s; access to %s authorized", profile.ID, strings.Join(routes, ", "), model))
}

// access says what keeps the account from invoking a foundation model, each with its fix, from what
// GetFoundationModelAvailability returns; none when it may.
func access(out *bedrock.GetFoundationModelAvailabilityOutput) (problems, fixes []string) {
	add := func(problem, fix string) { problems, fixes = append(problems, problem), append(fixes, fix) }
	if out.AuthorizationStatus != types.AuthorizationStatusAuthorized {
		add("access not authorized", "request model access in the Bedrock console (model catalog; Anthropic models ask for a use-case form first)")
	}
	if out.EntitlementAvailability != types.EntitlementAvailabilityAvailable {
		add("no Marketplace subscription", "subscribe the account: open the model in the Bedrock console's model catalog, "+
			"or invoke it once with credentials allowed aws-marketplace:Subscribe (the stack's roles are not)")
	}
	// Only models sold under an agreement (third-party models) report one.
	if a := out.AgreementAvailability; a != nil && a.Status != types.AgreementStatusAvailable {
		problem := "agreement " + string(a.Status)
		if msg := aws.ToString(a.ErrorMessage); msg != "" {
			problem += " (" + msg + ")"
		}
		if a.Status == types.AgreementStatusPending {
			add(problem, "wait a few minutes for the agreement to complete, then run the preflight again")
		} else {
			add(problem, "accept the model's EULA in the Bedrock console's model catalog (or aws bedrock create-foundation-model-agreement)")
		}
	}
	return problems, fixes
}

// geography is the prefix of the system inference profiles that start in the region.
func geography(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "us-gov"
	case strings.HasPrefix(region, "us-"):
		return "us"
	case strings.HasPrefix(region, "eu-"):
		return "eu"
	case strings.HasPrefix(region, "ap-"):
		return "apac"
	case strings.HasPrefix(region, "ca-"):
		return "ca"
	}
	return "<geography>"
}
