// Package awsenv is what the commands that check an environment's AWS account with the user's own
// credentials (cmd/preflight before a deployment, cmd/verify after it) share: loading the credentials,
// the account check every other check depends on, and the wording of an AWS call that failed.
package awsenv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

// Command names the command in what it tells the user, e.g. "the preflight": "then run the preflight
// again".
type Command string

// Load reads the SDK configuration from the default chain and retrieves the credentials once, so a
// missing or expired login is reported before any check runs.
func Load(ctx context.Context, optFns ...func(*awsconfig.LoadOptions) error) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, optFns...)
	if err == nil {
		_, err = cfg.Credentials.Retrieve(ctx)
	}
	return cfg, err
}

// NoCredentials is what to tell the user when Load failed: a sentence saying what to do, then the
// SDK's reason.
func (c Command) NoCredentials(env config.Environment, err error) string {
	return fmt.Sprintf("There are no AWS credentials to check account %s with: export AWS_PROFILE=%s (the "+
		"environment's assumed-role profile, see the README's Deploy section), or run `aws sso login --profile "+
		"%[2]s` if that profile uses IAM Identity Center, then run %[3]s again.\n(%[4]v)\n",
		env.Account, ExampleProfile(env), c, err)
}

// ExampleProfile follows the README's profile naming.
func ExampleProfile(env config.Environment) string { return "bedrock-" + env.Name }

// CallerIdentityAPI is the STS call CheckAccount makes.
type CallerIdentityAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// CheckAccount confirms the credentials belong to the environment's account. sameAccount is false when
// the other checks must not run: they would describe another account, or none.
func (c Command) CheckAccount(ctx context.Context, api CallerIdentityAPI, env config.Environment) (row checklist.Row, sameAccount bool) {
	const name = "Account"
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		// GetCallerIdentity needs no IAM permission: failing, it says the credentials were refused.
		return checklist.Fail(name, "could not check: "+Reason(err)+"; the other checks did not run",
			fmt.Sprintf("refresh the credentials (aws sso login, or check the profile's role_arn and source_profile), then run %s again", c)), false
	}
	account, arn := aws.ToString(out.Account), aws.ToString(out.Arn)
	if account != env.Account {
		return checklist.Fail(name,
			fmt.Sprintf("the credentials are %s of account %s, but environment %s deploys to account %s; the other "+
				"checks did not run: they would describe the wrong account", arn, account, env.Name, env.Account),
			fmt.Sprintf("use credentials of account %s, e.g. export AWS_PROFILE=%s with that account's deployer role",
				env.Account, ExampleProfile(env))), false
	}
	return checklist.Pass(name, arn), true
}

// Unchecked is the row of a check whose AWS call failed; the other checks still run. The error names
// the operation, and so the IAM action to allow.
func (c Command) Unchecked(name, subject string, err error) checklist.Row {
	detail := "could not check: " + Reason(err)
	if subject != "" {
		detail = subject + ": " + detail
	}
	action := "the call"
	if op := (*smithy.OperationError)(nil); errors.As(err, &op) {
		action = IAMAction(op.Service(), op.Operation())
	}
	if api := smithy.APIError(nil); errors.As(err, &api) {
		if _, throttled := retry.DefaultThrottleErrorCodes[api.ErrorCode()]; throttled {
			if attempts := (*retry.MaxAttemptsError)(nil); errors.As(err, &attempts) {
				detail += fmt.Sprintf(" (still throttled after %d attempts)", attempts.Attempt)
			}
			return checklist.Fail(name, detail, fmt.Sprintf("AWS throttled %s beyond the SDK's retries: wait a minute, "+
				"then run %s again", action, c))
		}
		return checklist.Fail(name, detail, fmt.Sprintf("%s needs %s: allow it to these credentials "+
			"(their IAM policy, any permissions boundary and the organisation's SCPs), then run it again", c, action))
	}
	return checklist.Fail(name, detail, fmt.Sprintf("no answer the SDK could read came back for %s: check the network "+
		"path to the AWS APIs (proxy, VPN), then run %s again", action, c))
}

// IAMAction is the IAM action that authorizes an operation, from the SDK's service ID and operation
// name: most actions are named after both, e.g. bedrock:GetFoundationModel.
func IAMAction(serviceID, operation string) string {
	if action, ok := iamActions[serviceID+":"+operation]; ok {
		return action
	}
	return strings.ToLower(serviceID) + ":" + operation
}

// iamActions are the operations these commands call whose action is named otherwise.
var iamActions = map[string]string{
	"CloudWatch Logs:FilterLogEvents": "logs:FilterLogEvents",
	"Lambda:Invoke":                   "lambda:InvokeFunction",
	"S3:ListObjectsV2":                "s3:ListBucket",
}

// Reason is an AWS error's code and message, without the SDK's operation and request-id wrapping.
func Reason(err error) string {
	if api := smithy.APIError(nil); errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}

// HasCode reports whether err is an AWS error with one of the codes.
func HasCode(err error, codes ...string) bool {
	var api smithy.APIError
	return errors.As(err, &api) && slices.Contains(codes, api.ErrorCode())
}
