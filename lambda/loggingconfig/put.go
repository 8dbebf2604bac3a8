package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/smithy-go"
)

// retryPolicy bounds the retries of Put. There is no jitter: one deployment
// per account and region calls Put, so there is no crowd to spread out.
type retryPolicy struct {
	attempts  int
	firstWait time.Duration
	maxWait   time.Duration
	total     time.Duration
}

// Waits of 2, 4, 8, 16, 30, 30 and 30 s give IAM about two minutes to
// propagate, well inside the total bound.
var defaultRetry = retryPolicy{attempts: 8, firstWait: 2 * time.Second, maxWait: 30 * time.Second, total: 3 * time.Minute}

// propagating matches the ValidationException messages Bedrock gives while it
// cannot yet assume the delivery role or use the destinations, such as
// "Failed to validate permissions for log group: ..., with role: ...".
var propagating = regexp.MustCompile(`(?i)permission|assume|access|authoriz`)

// retryable says whether another Put may succeed. Bedrock assumes the delivery
// role and checks the log group and bucket during the call, so right after the
// deployment created or changed them it can fail with ValidationException or
// AccessDeniedException until IAM has propagated. Throttling, 5xx and
// connection errors are retried as the SDK's standard retryer would.
func retryable(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDeniedException":
			return true
		case "ValidationException":
			return propagating.MatchString(api.ErrorMessage())
		}
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// noRetries leaves retrying Put to put alone, so each call is one attempt and
// the SDK's retries do not multiply ours.
func noRetries(o *bedrock.Options) { o.Retryer = aws.NopRetryer{} }

// put writes the configuration and returns the number of attempts it took.
func (h *handler) put(ctx context.Context, log *slog.Logger, p props) (int, error) {
	start := h.now()
	deadline := start.Add(h.retry.total)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	in := &bedrock.PutModelInvocationLoggingConfigurationInput{LoggingConfig: p.config()}
	// answered is the last error the service answered with; a later attempt
	// cut off by the deadline must not hide it.
	var answered error
	wait := h.retry.firstWait
	for attempt := 1; ; attempt++ {
		_, err := h.client.PutModelInvocationLoggingConfiguration(ctx, in, noRetries)
		if err == nil {
			return attempt, nil
		}
		if errors.As(err, new(smithy.APIError)) {
			answered = err
		}
		if ctx.Err() == nil && !retryable(err) {
			return attempt, &awsError{msg: "bedrock rejected the model invocation logging configuration: " + describe(err), err: err}
		}
		if ctx.Err() != nil || attempt >= h.retry.attempts || h.now().Add(wait).After(deadline) {
			return attempt, gaveUp(p, attempt, h.now().Sub(start), err, answered)
		}
		log.WarnContext(ctx, "put logging configuration failed, retrying", "attempt", attempt, "wait", wait.String(), "error", describe(err))
		if h.sleep(ctx, wait) != nil {
			return attempt, gaveUp(p, attempt, h.now().Sub(start), err, answered)
		}
		wait = min(2*wait, h.retry.maxWait)
	}
}

func gaveUp(p props, attempts int, elapsed time.Duration, err, answered error) error {
	if answered != nil {
		err = answered
	}
	var hint string
	var api smithy.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		// describe already points at the endpoint.
	case !errors.As(err, &api):
		hint = "; check the bedrock VPC endpoint's security group and private DNS"
	case api.ErrorCode() == "AccessDeniedException":
		hint = fmt.Sprintf("; check that this function's role allows bedrock:PutModelInvocationLoggingConfiguration and "+
			"iam:PassRole on %s to bedrock.amazonaws.com, and that the bedrock VPC endpoint policy lets the role call it", p.DeliveryRoleArn)
	case api.ErrorCode() == "ValidationException":
		hint = fmt.Sprintf("; check that the delivery role %s trusts bedrock.amazonaws.com and may write to log group %q, "+
			"and that the policies of bucket %q and of its KMS key let bedrock.amazonaws.com write under %q",
			p.DeliveryRoleArn, p.LogGroupName, p.BucketName, p.KeyPrefix+"/")
	default:
		hint = "; bedrock is busy or failing: deploy again later"
	}
	return &awsError{
		msg: fmt.Sprintf("bedrock did not accept the model invocation logging configuration after %s over %s; last error: %s%s",
			count(attempts), elapsed.Round(100*time.Millisecond), describe(err), hint),
		err: err,
	}
}

func count(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
