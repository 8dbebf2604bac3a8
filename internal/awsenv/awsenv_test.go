package awsenv

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

func TestIAMAction(t *testing.T) {
	for _, tt := range []struct{ service, operation, want string }{
		{"Bedrock", "GetFoundationModel", "bedrock:GetFoundationModel"},
		{"CloudFormation", "DescribeStacks", "cloudformation:DescribeStacks"},
		{"CloudWatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"},
		{"CloudWatch Logs", "FilterLogEvents", "logs:FilterLogEvents"},
		{"Lambda", "Invoke", "lambda:InvokeFunction"},
		{"S3", "ListObjectsV2", "s3:ListBucket"},
	} {
		if got := IAMAction(tt.service, tt.operation); got != tt.want {
			t.Errorf("IAMAction(%q, %q) = %q, want %q", tt.service, tt.operation, got, tt.want)
		}
	}
}

func TestUnchecked(t *testing.T) {
	const c Command = "the tool"
	operation := func(service, op string, err error) error {
		return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
	}
	tests := []struct {
		name        string
		err         error
		detail, fix string
	}{
		{"refused", operation("Lambda", "Invoke", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}),
			"function: could not check: AccessDeniedException: not authorized", "the tool needs lambda:InvokeFunction: allow it"},
		{"throttled", operation("CloudFormation", "DescribeStacks", &retry.MaxAttemptsError{Attempt: 3,
			Err: &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}}),
			"function: could not check: Throttling: Rate exceeded (still throttled after 3 attempts)",
			"AWS throttled cloudformation:DescribeStacks beyond the SDK's retries: wait a minute, then run the tool again"},
		{"no answer", operation("S3", "ListObjectsV2", errors.New("dial tcp: connection refused")),
			"function: could not check: operation error S3: ListObjectsV2", "no answer the SDK could read came back for s3:ListBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := c.Unchecked("Test", "function", tt.err)
			if row.Status != checklist.Failure || !strings.Contains(row.Detail, tt.detail) || !strings.Contains(row.Fix, tt.fix) {
				t.Errorf("row = %s | fix: %s\nwant …%s… | fix: …%s…", row.Detail, row.Fix, tt.detail, tt.fix)
			}
		})
	}
}

func TestNoCredentials(t *testing.T) {
	got := Command("verify").NoCredentials(config.Environment{Name: "dev", Account: "111111111111"}, errors.New("no profile"))
	want := "There are no AWS credentials to check account 111111111111 with: export AWS_PROFILE=bedrock-dev (the environment's " +
		"assumed-role profile, see the README's Deploy section), or run `aws sso login --profile bedrock-dev` if that profile uses " +
		"IAM Identity Center, then run verify again.\n(no profile)\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
