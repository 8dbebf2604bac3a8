package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/privatebedrock/stack/internal/checklist"
)

// unchecked is the row of a check whose AWS call failed; the other checks still run. Every API this
// command calls is authorized by the IAM action named after its service ID and operation, e.g.
// bedrock:GetFoundationModel, so the error itself says which action to allow.
func unchecked(name, subject string, err error) checklist.Row {
	detail := "could not check: " + reason(err)
	if subject != "" {
		detail = subject + ": " + detail
	}
	action := "the call"
	if op := (*smithy.OperationError)(nil); errors.As(err, &op) {
		action = strings.ToLower(op.Service()) + ":" + op.Operation()
	}
	if api := smithy.APIError(nil); errors.As(err, &api) {
		return checklist.Fail(name, detail, fmt.Sprintf("the preflight needs %s: allow it to these credentials "+
			"(their IAM policy, any permissions boundary and the organisation's SCPs), then run it again", action))
	}
	return checklist.Fail(name, detail, fmt.Sprintf("no answer the SDK could read came back for %s: check the network "+
		"path to the AWS APIs (proxy, VPN), then run the preflight again", action))
}

// reason is an AWS error's code and message, without the SDK's operation and request-id wrapping.
func reason(err error) string {
	if api := smithy.APIError(nil); errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}

// hasCode reports whether err is an AWS error with one of the codes.
func hasCode(err error, codes ...string) bool {
	var api smithy.APIError
	return errors.As(err, &api) && slices.Contains(codes, api.ErrorCode())
}
