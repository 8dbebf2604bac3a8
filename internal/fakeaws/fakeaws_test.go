package fakeaws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// calls make a request of every service the fake knows, through the real SDK.
var calls = []struct {
	service, operation string
	call               func(context.Context, aws.Config) error
}{
	{"sts", "GetCallerIdentity", func(ctx context.Context, cfg aws.Config) error {
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}},
	{"cloudformation", "DescribeStacks", func(ctx context.Context, cfg aws.Config) error {
		_, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("CDKToolkit")})
		return err
	}},
	{"ec2", "DescribeAvailabilityZones", func(ctx context.Context, cfg aws.Config) error {
		_, err := ec2.NewFromConfig(cfg).DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
		return err
	}},
	{"cloudtrail", "GetTrailStatus", func(ctx context.Context, cfg aws.Config) error {
		_, err := cloudtrail.NewFromConfig(cfg).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
		return err
	}},
	{"lambda", "GetAccountSettings", func(ctx context.Context, cfg aws.Config) error {
		_, err := lambda.NewFromConfig(cfg).GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
		return err
	}},
	{"bedrock", "GetFoundationModel", func(ctx context.Context, cfg aws.Config) error {
		_, err := bedrock.NewFromConfig(cfg).GetFoundationModel(ctx, &bedrock.GetFoundationModelInput{ModelIdentifier: aws.String("anthropic.claude-3-haiku-20240307-v1:0")})
		return err
	}},
	{"logs", "FilterLogEvents", func(ctx context.Context, cfg aws.Config) error {
		_, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/stack/invocations")})
		return err
	}},
	{"s3", "ListObjectsV2", func(ctx context.Context, cfg aws.Config) error {
		_, err := s3.NewFromConfig(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs"), Prefix: aws.String("bedrock/")})
		return err
	}},
	{"monitoring", "DescribeAlarms", func(ctx context.Context, cfg aws.Config) error {
		_, err := cloudwatch.NewFromConfig(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("stack-")})
		return err
	}},
}

func TestErrorsReachTheSDK(t *testing.T) {
	for _, c := range calls {
		t.Run(c.service, func(t *testing.T) {
			f := New(t)
			f.Answer(c.service, c.operation, Error(403, "AccessDeniedException", `not authorized <to> "perform" & more`))
			err := c.call(context.Background(), f.Config("us-east-1"))
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != "AccessDeniedException" || api.ErrorMessage() != `not authorized <to> "perform" & more` {
				t.Errorf("error = %v, want the SDK to decode code and message", err)
			}
		})
	}
}

func TestRecordsCalls(t *testing.T) {
	f := New(t)
	f.Answer("sts", "GetCallerIdentity", OK("<Account>111111111111</Account>"))
	f.Answer("cloudtrail", "GetTrailStatus", OK(`{"IsLogging":true}`))
	f.Answer("bedrock", "GetFoundationModel", OK(`{}`))
	ctx, cfg := context.Background(), f.Config("eu-west-1")

	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Account) != "111111111111" {
		t.Fatalf("GetCallerIdentity = %v, %v; want account 111111111111", out, err)
	}
	for _, c := range calls {
		if c.service == "cloudtrail" || c.service == "bedrock" {
			if err := c.call(ctx, cfg); err != nil {
				t.Fatal(err)
			}
		}
	}

	got := f.Calls()
	if ops := f.Operations(); strings.Join(ops, " ") != "sts:GetCallerIdentity cloudtrail:GetTrailStatus bedrock:GetFoundationModel" {
		t.Fatalf("operations = %v", ops)
	}
	for _, c := range got {
		if c.Region != "eu-west-1" {
			t.Errorf("%s signed for %q, want eu-west-1", c.Operation, c.Region)
		}
	}
	if v := got[0].Input.Get("Version"); v != "2011-06-15" {
		t.Errorf("query input Version = %q, want the form field", v)
	}
	if v := got[1].Input.Get("Name"); v != "main" {
		t.Errorf("JSON input Name = %q, want main", v)
	}
	if v := got[2].Input.Get("modelIdentifier"); v != "anthropic.claude-3-haiku-20240307-v1:0" {
		t.Errorf("REST path parameter = %q, want the unescaped model ID", v)
	}
}

// TestOtherProtocols round-trips an input and a result through each protocol the first test leaves out.
func TestOtherProtocols(t *testing.T) {
	f := New(t)
	f.Answer("s3", "ListObjectsV2", OK(`<ListBucketResult><Name>logs</Name><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>`+
		`<Contents><Key>bedrock/a.json.gz</Key><LastModified>2030-01-01T00:00:00.000Z</LastModified><Size>7</Size></Contents></ListBucketResult>`))
	f.Answer("monitoring", "DescribeAlarms", OK(`{"MetricAlarms":[{"AlarmName":"stack-Errors","AlarmActions":["arn:aws:sns:us-east-1:111111111111:alerts"],"EvaluationPeriods":1,"Threshold":2.5}]}`))
	f.Answer("lambda", "Invoke", Reply{Body: `{"errorMessage":"boom","errorType":"bedrockError"}`, Header: map[string]string{"X-Amz-Function-Error": "Unhandled"}})
	ctx, cfg := context.Background(), f.Config("us-east-1")

	objects, err := s3.NewFromConfig(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs"), Prefix: aws.String("bedrock/")})
	if err != nil || len(objects.Contents) != 1 || aws.ToString(objects.Contents[0].Key) != "bedrock/a.json.gz" {
		t.Errorf("ListObjectsV2 = %+v, %v; want one object", objects, err)
	}
	alarms, err := cloudwatch.NewFromConfig(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("stack-")})
	if err != nil || len(alarms.MetricAlarms) != 1 || aws.ToString(alarms.MetricAlarms[0].AlarmName) != "stack-Errors" ||
		aws.ToFloat64(alarms.MetricAlarms[0].Threshold) != 2.5 || alarms.MetricAlarms[0].AlarmActions[0] != "arn:aws:sns:us-east-1:111111111111:alerts" {
		t.Errorf("DescribeAlarms = %+v, %v; want the alarm", alarms, err)
	}
	invoked, err := lambda.NewFromConfig(cfg).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("invoker"), Payload: []byte(`{"prompt":"hi"}`)})
	if err != nil || aws.ToString(invoked.FunctionError) != "Unhandled" || !strings.Contains(string(invoked.Payload), "boom") {
		t.Errorf("Invoke = %+v, %v; want the function error and its payload", invoked, err)
	}

	got := f.Calls()
	if v := got[0].Input.Get("prefix") + " " + got[0].Input.Get("Bucket"); v != "bedrock/ logs" {
		t.Errorf("S3 input = %q, want the query parameter and the bucket from the path", v)
	}
	if v := got[1].Input.Get("AlarmNamePrefix"); v != "stack-" {
		t.Errorf("CBOR input AlarmNamePrefix = %q, want stack-", v)
	}
	if v := got[2].Input.Get("FunctionName") + " " + got[2].Input.Get("prompt"); v != "invoker hi" {
		t.Errorf("REST input = %q, want the path parameter and the body's member", v)
	}
}

// recorder stands in for the test, to see the fake fail it.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestUnregisteredOperationsFailTheTest(t *testing.T) {
	for _, c := range calls {
		t.Run(c.service, func(t *testing.T) {
			r := &recorder{TB: t}
			f := New(r)
			err := c.call(context.Background(), f.Config("us-east-1"))
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != "FakeUnregisteredOperation" {
				t.Errorf("error = %v, want FakeUnregisteredOperation", err)
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			want := "fakeaws: unexpected call " + c.service + " " + c.operation
			if len(r.errors) != 1 || !strings.HasPrefix(r.errors[0], want) {
				t.Errorf("test errors = %q, want one starting %q", r.errors, want)
			}
		})
	}
}

func TestUnknownRESTRouteFailsTheTest(t *testing.T) {
	r := &recorder{TB: t}
	f := New(r)
	_, err := bedrock.NewFromConfig(f.Config("us-east-1")).ListFoundationModels(context.Background(), &bedrock.ListFoundationModelsInput{})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "FakeUnregisteredOperation" {
		t.Errorf("error = %v, want FakeUnregisteredOperation", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if want := "fakeaws: unexpected call bedrock GET /foundation-models"; len(r.errors) != 1 || !strings.HasPrefix(r.errors[0], want) {
		t.Errorf("test errors = %q, want one starting %q", r.errors, want)
	}
}

func TestEnv(t *testing.T) {
	t.Setenv("AWS_PROFILE", "developer")
	t.Setenv("AWS_SESSION_TOKEN", "developer-token")
	f := New(t)
	f.Answer("sts", "GetCallerIdentity", OK("<Account>111111111111</Account>"))
	f.Env(t, "us-west-2")

	if _, ok := os.LookupEnv("AWS_PROFILE"); ok {
		t.Error("AWS_PROFILE is still set")
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != AccessKeyID || creds.SessionToken != "" {
		t.Errorf("credentials = %+v, %v; want the fake's static keys only", creds, err)
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if got := f.Calls(); len(got) != 1 || got[0].Region != "us-west-2" {
		t.Errorf("calls = %+v, want one signed for us-west-2", got)
	}
}
