package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// InferenceProfile is a cross-region (system-defined) inference profile.
type InferenceProfile struct {
	// ID is the profile ID, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0.
	ID string `json:"id"`
	// DestinationRegions are the regions the profile may route to; its foundation model must be
	// allowed in each of them.
	DestinationRegions []string `json:"destinationRegions"`
}

var (
	// A foundation-model ID is provider.model[:version], e.g. amazon.titan-text-express-v1 or
	// anthropic.claude-3-haiku-20240307-v1:0.
	modelPattern = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9][a-z0-9.-]*(:[0-9a-z:-]+)?$`)
	// A system-defined inference profile ID is a geography prefix and a foundation-model ID.
	profilePattern   = regexp.MustCompile(`^(` + strings.Join(geographyPrefixes(), "|") + `)\.([a-z0-9-]+\.[a-z0-9][a-z0-9.-]*(:[0-9a-z:-]+)?)$`)
	principalPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$`)
)

// validateModels checks the models, inference profiles and principals the endpoint admits.
func (e Environment) validateModels(p *problems) {
	if len(e.Models) == 0 && len(e.InferenceProfiles) == 0 {
		p.bad("models", "[]", "is empty and no inferenceProfiles are given: allow at least one model ID, e.g. anthropic.claude-3-haiku-20240307-v1:0")
	}
	for i, m := range e.Models {
		if !modelPattern.MatchString(m) || profilePattern.MatchString(m) {
			p.bad(fmt.Sprintf("models[%d]", i), quote(m), "is not a foundation-model ID: use provider.model[:version], e.g. anthropic.claude-3-haiku-20240307-v1:0 (inference profiles go in inferenceProfiles)")
		}
		if slices.Index(e.Models, m) < i {
			p.bad(fmt.Sprintf("models[%d]", i), quote(m), "is listed twice: list each model once")
		}
	}
	for i, ip := range e.InferenceProfiles {
		field := fmt.Sprintf("inferenceProfiles[%d]", i)
		if !profilePattern.MatchString(ip.ID) {
			p.bad(field+".id", quote(ip.ID), "is not a system inference-profile ID: use a geography prefix and a model ID, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0")
		} else {
			e.validateGeography(p, field, ip)
		}
		if slices.IndexFunc(e.InferenceProfiles, func(o InferenceProfile) bool { return o.ID == ip.ID }) < i {
			p.bad(field+".id", quote(ip.ID), "is listed twice: list each profile once")
		}
		if !slices.Contains(ip.DestinationRegions, e.Region) {
			p.bad(field+".destinationRegions", ip.DestinationRegions, "does not include the environment's region "+e.Region+": list every region the profile routes to, the source region included")
		}
		for j, r := range ip.DestinationRegions {
			if !regionPattern.MatchString(r) {
				p.bad(fmt.Sprintf("%s.destinationRegions[%d]", field, j), quote(r), "is not an AWS region: use a region code such as us-west-2")
			}
		}
	}
	for i, pr := range e.ClientPrincipals {
		if !principalPattern.MatchString(pr) {
			p.bad(fmt.Sprintf("clientPrincipals[%d]", i), quote(pr), "is not an IAM role or user ARN: use arn:aws:iam::<12-digit account>:role/<name>")
		} else if !e.sameAccount(pr) {
			p.bad(fmt.Sprintf("clientPrincipals[%d]", i), quote(pr), "is in another account than "+e.Account+": admit only principals of the environment's own account")
		}
	}
	// The invocation-error alarms sum one metric per model, and a CloudWatch metric-math alarm takes ten.
	if n := len(e.Models) + len(e.InferenceProfiles); n > 10 {
		p.bad("models", fmt.Sprintf("%d models and inference profiles", n), "are more than the 10 the invocation alarms can watch: allow at most 10 in all")
	}
	if e.EndpointPolicyEffect != "Allow" && e.EndpointPolicyEffect != "Deny" {
		p.bad("endpointPolicyEffect", quote(e.EndpointPolicyEffect), `is neither "Allow" nor "Deny": use "Allow", or "Deny" to reproduce the blocked-call test`)
	}
}

// validateGeography checks that the environment's region may call the profile, whose ID is valid, and
// that its destination regions are in its geography: Bedrock refuses a profile called from outside its
// geography, and routes only inside it.
func (e Environment) validateGeography(p *problems, field string, ip InferenceProfile) {
	geo := geographyOf(ip.ID)
	if regionPattern.MatchString(e.Region) && !geo.serves(e.Region) {
		p.bad(field+".id", quote(ip.ID), fmt.Sprintf("has the geography prefix %s (%s), which the environment's region %s cannot call: use the model's profile with one of the prefixes that serve %s: %s", geo.prefix, geo, e.Region, e.Region, strings.Join(prefixesServing(e.Region), ", ")))
		// The prefix is the mistake; the destinations are checked against the one that fits.
		return
	}
	for j, r := range ip.DestinationRegions {
		if regionPattern.MatchString(r) && !geo.serves(r) {
			p.bad(fmt.Sprintf("%s.destinationRegions[%d]", field, j), quote(r), fmt.Sprintf("is outside the profile's geography %s (%s): list only the regions the profile routes to", geo.prefix, geo))
		}
	}
}

// Partition is the ARN partition of the environment's region.
func (e Environment) Partition() string { return partition(e.Region) }

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ModelArns are the resources a caller must be allowed to invoke for the configured models and
// inference profiles. Bedrock authorizes a profile call twice: on the profile ARN and on the
// foundation model in whichever destination region serves it, so both are listed.
func (e Environment) ModelArns() []string {
	var arns []string
	for _, m := range e.Models {
		arns = append(arns, e.foundationModelArn(e.Region, m))
	}
	for _, p := range e.InferenceProfiles {
		arns = append(arns, fmt.Sprintf("arn:%s:bedrock:%s:%s:inference-profile/%s", e.Partition(), e.Region, e.Account, p.ID))
		model := p.ModelID()
		for _, r := range p.DestinationRegions {
			arns = append(arns, e.foundationModelArn(r, model))
		}
		// Global profiles are authorized against a region-less foundation-model ARN as well.
		if strings.HasPrefix(p.ID, "global.") {
			arns = append(arns, e.foundationModelArn("", model))
		}
	}
	return dedupe(arns)
}

// ModelIDs are the IDs a caller passes to InvokeModel or Converse.
func (e Environment) ModelIDs() []string {
	ids := append([]string{}, e.Models...)
	for _, p := range e.InferenceProfiles {
		ids = append(ids, p.ID)
	}
	return ids
}

// ModelID is the foundation model the profile routes to.
func (p InferenceProfile) ModelID() string {
	return profilePattern.FindStringSubmatch(p.ID)[2]
}

func (e Environment) foundationModelArn(region, model string) string {
	return fmt.Sprintf("arn:%s:bedrock:%s::foundation-model/%s", e.Partition(), region, model)
}

func dedupe(values []string) []string {
	seen := map[string]bool{}
	out := values[:0]
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// sameAccount says whether an IAM principal ARN belongs to the environment's account.
func (e Environment) sameAccount(arn string) bool { return strings.Contains(arn, ":"+e.Account+":") }
