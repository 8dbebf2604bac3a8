package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// awsError carries a message built only from vetted parts, since CloudFormation
// shows it to anyone who can read the stack's events, while Unwrap keeps the
// SDK error available to errors.As.
type awsError struct {
	msg string
	err error
}

func (e *awsError) Error() string { return e.msg }
func (e *awsError) Unwrap() error { return e.err }

// failed explains an error of a Get or Delete call.
func failed(action string, err error) error {
	msg := fmt.Sprintf("could not %s: %s", action, describe(err))
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException" {
		msg += "; check that this function's role allows the bedrock:*ModelInvocationLoggingConfiguration actions " +
			"and that the bedrock VPC endpoint policy lets the role call them"
	}
	return &awsError{msg: msg, err: err}
}

// describe says what went wrong in one phrase: the service's own words when
// it answered, else why there was no answer.
func describe(err error) string {
	var api smithy.APIError
	switch {
	case errors.As(err, &api):
		s := api.ErrorCode() + ": " + redact(api.ErrorMessage())
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.ServiceRequestID() != "" {
			s += " (request id " + re.ServiceRequestID() + ")"
		}
		return s
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer from bedrock before the deadline: check the bedrock VPC endpoint's security group and private DNS"
	default:
		return redact(err.Error())
	}
}

// secret matches signing material a service message may quote, such as the
// canonical request in a signature mismatch, and access key IDs.
var secret = regexp.MustCompile(`(?i)\b(?:credential|signature|signedheaders|x-amz-security-token)\s*[=:]\s*[^\s,]+|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`)

func redact(s string) string {
	return secret.ReplaceAllString(s, "[redacted]")
}
