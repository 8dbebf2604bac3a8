package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// tracker watches the attempts of one call, because on failure the SDK
// reports neither their number nor, when the deadline ends the retries, the
// service error that caused them.
type tracker struct {
	attempts int
	// last is the last error the service answered with; failures without an
	// answer, such as a deadline hit mid-request, leave it alone.
	last error
}

func (t *tracker) option(o *bedrockruntime.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("trackAttempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				t.attempts++
				out, md, err := next.HandleFinalize(ctx, in)
				if errors.As(err, new(smithy.APIError)) {
					t.last = err
				}
				return out, md, err
			}), "Retry", middleware.After)
	})
}

// cause is the last service error if there was one, else err.
func (t tracker) cause(err error) error {
	if t.last != nil {
		return t.last
	}
	return err
}

// bedrockError carries a message built only from vetted parts, while Unwrap
// keeps the SDK error available to errors.As.
type bedrockError struct {
	msg string
	err error
}

func (e *bedrockError) Error() string { return e.msg }
func (e *bedrockError) Unwrap() error { return e.err }

// explain turns an SDK error into one that says what to check.
func explain(err error, model string, t tracker) error {
	cause := t.cause(err)
	id := withID(requestID(cause))
	var denied *types.AccessDeniedException
	var api smithy.APIError
	var msg string
	switch {
	case errors.As(cause, &denied):
		msg = fmt.Sprintf("access denied invoking model %q%s: check the function role policy's aws:SourceVpce condition, "+
			"the bedrock-runtime VPC endpoint policy (principal and model), and that the account has access to the model: %s",
			model, id, redact(denied.ErrorMessage()))
	case errors.As(cause, &api) && isBusy(api.ErrorCode()):
		msg = fmt.Sprintf("bedrock throttled model %q after %s with %s%s; retry later or raise the model's quota",
			model, count(t.attempts), api.ErrorCode(), id)
	case errors.Is(err, context.DeadlineExceeded):
		msg = fmt.Sprintf("no answer from bedrock for model %q before the deadline after %s; "+
			"check the bedrock-runtime endpoint's security group and private DNS", model, count(t.attempts))
	default:
		msg = fmt.Sprintf("converse with model %q failed after %s: %s", model, count(t.attempts), redact(err.Error()))
	}
	return &bedrockError{msg: msg, err: err}
}

func isBusy(code string) bool {
	_, ok := busy[code]
	return ok
}

func requestID(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.ServiceRequestID()
	}
	return ""
}

func withID(id string) string {
	if id == "" {
		return ""
	}
	return " (request id " + id + ")"
}

func count(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// secret matches signing material a service message may quote, such as the
// canonical request in a signature mismatch, and access key IDs.
var secret = regexp.MustCompile(`(?i)\b(?:credential|signature|signedheaders|x-amz-security-token)\s*[=:]\s*[^\s,]+|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`)

func redact(s string) string {
	return secret.ReplaceAllString(s, "[redacted]")
}
