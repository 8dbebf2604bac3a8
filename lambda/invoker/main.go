// Command invoker is the test function of the private Bedrock architecture: it
// sends one prompt through the bedrock-runtime interface endpoint with the
// Converse API, so a working answer proves the private path and the endpoint
// policy, and a denial says which policy to inspect.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	s, err := loadSettings(os.Getenv)
	if err != nil {
		log.Error("invalid configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load aws config", "error", err)
		os.Exit(1)
	}
	lambda.Start(newHandler(cfg, s, log))
}

type event struct {
	Prompt  string `json:"prompt"`
	ModelID string `json:"modelId"`
	// ExpectDenied marks a verification call of a model the stack must refuse (npm run verify): the
	// function's own list of models is skipped, so that Bedrock's answer, AccessDenied from the endpoint
	// policy and the role, is what the call tests.
	ExpectDenied bool `json:"expectDenied"`
}

type response struct {
	Text       string `json:"text"`
	ModelID    string `json:"modelId"`
	StopReason string `json:"stopReason"`
	// GuardrailIntervened means the guardrail blocked or masked the prompt or
	// the answer: a policy working, not a failure. Text is then what the
	// guardrail returned in their place.
	GuardrailIntervened bool `json:"guardrailIntervened,omitempty"`
	// GuardrailActions names the policies that acted, never what they matched.
	GuardrailActions []string `json:"guardrailActions,omitempty"`
	Usage            usage    `json:"usage"`
	// LatencyMs is the model latency Bedrock reports; ElapsedMs is measured
	// around the SDK call and so also covers the network path through the
	// endpoint, signing, retries and backoff.
	LatencyMs int64  `json:"latencyMs"`
	ElapsedMs int64  `json:"elapsedMs"`
	Attempts  int    `json:"attempts"`
	RequestID string `json:"requestId"`
}

type usage struct {
	InputTokens  int32 `json:"inputTokens"`
	OutputTokens int32 `json:"outputTokens"`
	TotalTokens  int32 `json:"totalTokens"`
}

// busy lists the errors Bedrock returns when capacity is short. Converse has
// no side effects, so retrying them is safe.
var busy = map[string]struct{}{
	"ThrottlingException":         {},
	"ServiceUnavailableException": {},
	"ModelNotReadyException":      {},
}

type handler struct {
	client   *bedrockruntime.Client
	settings settings
	log      *slog.Logger
}

// newHandler builds the Bedrock client once; main calls it at init so every
// invocation of the container reuses its connections and retry quota.
func newHandler(cfg aws.Config, s settings, log *slog.Logger) *handler {
	client := bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
		o.Retryer = retry.NewStandard(func(r *retry.StandardOptions) {
			r.MaxAttempts = s.maxAttempts
			r.MaxBackoff = s.maxBackoff
			// Named rather than left to the SDK, whose default changed in 2026 to full jitter with a
			// 1 s throttling base: the bound the settings promise must not move with an SDK upgrade.
			r.Backoff = retry.NewExponentialJitterBackoff(s.maxBackoff)
			r.Retryables = append(r.Retryables, retry.RetryableErrorCode{Codes: busy})
		})
		// AWS_MAX_ATTEMPTS would otherwise widen the bound set above.
		o.RetryMaxAttempts = 0
	})
	return &handler{client: client, settings: s, log: log}
}

// Invoke takes the raw payload so malformed JSON gets our message rather than
// the runtime's generic decode error.
func (h *handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	log := h.log
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("awsRequestId", lc.AwsRequestID)
	}
	ev, err := h.parse(payload)
	if err != nil {
		log.WarnContext(ctx, "rejected event", "error", err)
		return nil, err
	}
	res, err := h.converse(ctx, log, ev)
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// inputError marks a rejected event. Lambda reports the error's type name as
// errorType, which lets callers tell bad input from Bedrock failures.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

func (h *handler) parse(payload []byte) (event, error) {
	var ev event
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		if err == io.EOF {
			return event{}, invalid("invalid event: empty payload")
		}
		return event{}, invalid(`invalid event: %v (want {"prompt": "...", "modelId": "optional"})`, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return event{}, invalid("invalid event: unexpected data after the JSON object")
	}
	if strings.TrimSpace(ev.Prompt) == "" {
		return event{}, invalid("prompt is empty")
	}
	if n := len(ev.Prompt); n > h.settings.maxPromptBytes {
		return event{}, invalid("prompt is %d bytes, limit is %d", n, h.settings.maxPromptBytes)
	}
	if ev.ModelID == "" {
		ev.ModelID = h.settings.defaultModel
	} else if !ev.ExpectDenied && !slices.Contains(h.settings.allowed, ev.ModelID) {
		return event{}, invalid("model %q is not allowed; allowed models: %s", ev.ModelID, strings.Join(h.settings.allowed, ", "))
	}
	return ev, nil
}

func (h *handler) converse(ctx context.Context, log *slog.Logger, ev event) (*response, error) {
	ctx, cancel := context.WithDeadline(ctx, h.deadline(ctx))
	defer cancel()

	var tr tracker
	start := time.Now()
	out, err := h.client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId: aws.String(ev.ModelID),
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: ev.Prompt}},
		}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(h.settings.maxTokens)},
		GuardrailConfig: h.settings.guardrailConfig(),
	}, tr.option)
	elapsed := time.Since(start).Milliseconds()
	log = log.With("modelId", ev.ModelID, "attempts", tr.attempts, "elapsedMs", elapsed)
	if err != nil {
		err = explain(err, ev.ModelID, tr)
		log.ErrorContext(ctx, "converse failed", "requestId", requestID(tr.cause(err)), "error", err)
		return nil, err
	}

	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		err := &bedrockError{msg: fmt.Sprintf("bedrock returned no message for model %q%s", ev.ModelID, withID(id))}
		log.ErrorContext(ctx, "converse failed", "requestId", id, "error", err)
		return nil, err
	}
	res := &response{
		ModelID:             ev.ModelID,
		StopReason:          string(out.StopReason),
		GuardrailIntervened: out.StopReason == types.StopReasonGuardrailIntervened,
		GuardrailActions:    guardrailActions(out.Trace),
		ElapsedMs:           elapsed,
		Attempts:            tr.attempts,
		RequestID:           id,
	}
	var text strings.Builder
	for _, c := range msg.Value.Content {
		if t, ok := c.(*types.ContentBlockMemberText); ok {
			text.WriteString(t.Value)
		}
	}
	res.Text = text.String()
	if u := out.Usage; u != nil {
		res.Usage = usage{aws.ToInt32(u.InputTokens), aws.ToInt32(u.OutputTokens), aws.ToInt32(u.TotalTokens)}
	}
	if m := out.Metrics; m != nil {
		res.LatencyMs = aws.ToInt64(m.LatencyMs)
	}
	// The prompt and answer stay out of the logs: they may hold sensitive data.
	log.InfoContext(ctx, "converse", "stopReason", res.StopReason,
		"inputTokens", res.Usage.InputTokens, "outputTokens", res.Usage.OutputTokens,
		"totalTokens", res.Usage.TotalTokens, "latencyMs", res.LatencyMs,
		"requestId", id, "promptBytes", len(ev.Prompt))
	if res.GuardrailIntervened {
		// A warning, though the call succeeded, so that blocked prompt attacks
		// and leaks stand out from ordinary answers.
		log.WarnContext(ctx, "guardrail intervened", "requestId", id, "guardrailActions", res.GuardrailActions)
	}
	return res, nil
}

// deadline bounds the call by the configured timeout and by the Lambda
// deadline less headroom, leaving time to log and return a clear error.
func (h *handler) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(h.settings.timeout)
	if ld, ok := ctx.Deadline(); ok {
		if ld = ld.Add(-h.settings.headroom); ld.Before(d) {
			d = ld
		}
	}
	return d
}
