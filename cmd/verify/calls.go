package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

// testPrompt asks for a short answer: each test call costs a few tokens.
const testPrompt = "Reply with the single word OK."

// unlistedModels are candidates for the model that must be refused: the first the configuration does
// not allow is used.
var unlistedModels = []string{"anthropic.claude-3-opus-20240229-v1:0", "amazon.titan-text-express-v1", "meta.llama3-8b-instruct-v1:0"}

// testCall is a test call that went through, whose invocation log record checkDelivery looks for.
type testCall struct {
	modelID, requestID string
	// since is when the call started by the AWS clock, which stamps the log objects: the Date of
	// Lambda's answer less the time the call took.
	since time.Time
}

// invocation is what the test function (lambda/invoker) answered: its response, or the error it
// reported.
type invocation struct {
	response struct {
		StopReason          string   `json:"stopReason"`
		GuardrailIntervened bool     `json:"guardrailIntervened"`
		GuardrailActions    []string `json:"guardrailActions"`
		RequestID           string   `json:"requestId"`
	}
	// failure is set when the function reported an error.
	failure *functionError
	since   time.Time
}

// functionError is the payload of an error the Lambda Go runtime reports: the handler's message, and
// the Go type of its error, inputError for an event it refused.
type functionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func invoke(ctx context.Context, api *lambda.Client, function, model string, expectDenied bool) (invocation, error) {
	payload, _ := json.Marshal(map[string]any{"prompt": testPrompt, "modelId": model, "expectDenied": expectDenied})
	start := time.Now()
	out, err := api.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), Payload: payload})
	if err != nil {
		return invocation{}, err
	}
	inv := invocation{since: start}
	if server, ok := awsmiddleware.GetServerTime(out.ResultMetadata); ok {
		inv.since = server.Add(-time.Since(start))
	}
	if out.FunctionError != nil {
		if err := json.Unmarshal(out.Payload, &inv.failure); err != nil || inv.failure == nil || inv.failure.Message == "" {
			inv.failure = &functionError{Message: aws.ToString(out.FunctionError) + ": " + string(out.Payload)}
		}
		return inv, nil
	}
	if json.Unmarshal(out.Payload, &inv.response) != nil {
		inv.failure = &functionError{Message: fmt.Sprintf("it answered %q, not the handler's JSON", out.Payload)}
	}
	return inv, nil
}

// denied says whether the function reports that Bedrock refused the call: the handler words an
// AccessDeniedException so.
func (inv invocation) denied() bool {
	return inv.failure != nil && strings.HasPrefix(inv.failure.Message, "access denied")
}

// checkTestCalls invokes the test function once for every configured model and inference profile, one
// after the other to stay within its reserved concurrency, and once for a model the configuration does
// not allow. call is the first call that went through, for checkDelivery; nil when none did.
func checkTestCalls(ctx context.Context, api *lambda.Client, env config.Environment, d *deployment) (rows []checklist.Row, call *testCall) {
	const name = "Test call"
	function, missing := d.output(name, outputFunction)
	if missing != nil {
		return []checklist.Row{*missing}, nil
	}
	logs := "/" + d.stack + "/invoker"
	for _, model := range env.ModelIDs() {
		inv, err := invoke(ctx, api, function, model, false)
		rows = append(rows, testCallRow(env, d, logs, model, inv, err))
		if err == nil && inv.failure == nil && inv.response.RequestID != "" && call == nil {
			call = &testCall{modelID: model, requestID: inv.response.RequestID, since: inv.since}
		}
	}
	return append(rows, unlistedModelRow(ctx, api, env, function, logs)), call
}

func testCallRow(env config.Environment, d *deployment, logs, model string, inv invocation, err error) checklist.Row {
	const name = "Test call"
	switch {
	case err != nil:
		return command.Unchecked(name, model, err)
	case inv.denied():
		fix := "the message names what to check: the Endpoint row compares the endpoint policy, and npm run preflight -- " +
			env.Name + " checks the account's model access"
		if env.EndpointPolicyEffect == "Deny" {
			fix = "expected: endpointPolicyEffect is Deny, which refuses every call through the endpoint (the deny test); set it to Allow and deploy"
		}
		return checklist.Fail(name, model+": Bedrock refused the call: "+inv.failure.Message, fix)
	case inv.failure != nil && inv.failure.Type == "inputError":
		return checklist.Fail(name, model+": the test function does not accept it: "+inv.failure.Message,
			"deploy the configuration, which gives the function its models: "+deployCommand(env, d.stack))
	case inv.failure != nil:
		return checklist.Fail(name, model+": the test function failed: "+inv.failure.Message,
			"read the function's log group "+logs+" for the cause; if Bedrock throttled it, run verify again later")
	}
	detail := fmt.Sprintf("%s: answered through the endpoint (stop reason %s)", model, inv.response.StopReason)
	if inv.response.GuardrailIntervened {
		detail = fmt.Sprintf("%s: the guardrail intervened (%s), so the call went through the endpoint", model, strings.Join(inv.response.GuardrailActions, "; "))
	}
	if slices.ContainsFunc(env.InferenceProfiles, func(p config.InferenceProfile) bool { return p.ID == model }) {
		detail += "; Bedrock's second authorization, of the model in the destination region, passed with the role's " +
			"aws:SourceVpce condition (AWS does not document whether aws:SourceVpce is present there)"
	}
	return checklist.Pass(name, detail)
}

// unlistedModelRow calls a model the configuration does not allow, which must fail with access denied.
func unlistedModelRow(ctx context.Context, api *lambda.Client, env config.Environment, function, logs string) checklist.Row {
	const name = "Unlisted model"
	allowed := env.ModelIDs()
	for _, p := range env.InferenceProfiles {
		allowed = append(allowed, p.ModelID())
	}
	i := slices.IndexFunc(unlistedModels, func(m string) bool { return !slices.Contains(allowed, m) })
	if i < 0 {
		return checklist.Warn(name, "every candidate ("+strings.Join(unlistedModels, ", ")+") is configured: no call was made",
			"nothing to do: the Endpoint row compares the endpoint policy's models with the configuration")
	}
	model := unlistedModels[i]
	// expectDenied: the function skips its own list of models, so the endpoint policy and the role decide.
	inv, err := invoke(ctx, api, function, model, true)
	switch {
	case err != nil:
		return command.Unchecked(name, model, err)
	case inv.denied():
		return checklist.Pass(name, model+": refused with access denied: the endpoint and the role admit only the configured models")
	case inv.failure != nil && inv.failure.Type == "inputError":
		return checklist.Fail(name, model+": the test function refused the verification call itself: "+inv.failure.Message,
			"deploy the current stack: its test function accepts expectDenied, which lets Bedrock decide")
	case inv.failure != nil:
		return checklist.Fail(name, model+": the test function failed: "+inv.failure.Message,
			"read the function's log group "+logs+" for the cause, then run verify again")
	}
	return checklist.Fail(name, model+": the call went through: the endpoint and the function's role admit a model the configuration does not list",
		"compare the endpoint policy (the Endpoint row) and the function role's policy with the stack, undo the change and find out who made it")
}
