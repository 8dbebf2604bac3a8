package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/invocationlogging"
	"github.com/privatebedrock/stack/constructs/invoker"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/constructs/privatevpc"
	"github.com/privatebedrock/stack/constructs/vpcsdkcall"
)

// TestInvalidPropsFailAtConstructionNamingTheProp builds constructs with bad props; each must panic
// with a message that names the prop and the fix, before anything is deployed.
func TestInvalidPropsFailAtConstructionNamingTheProp(t *testing.T) {
	// The constructs under test need a VPC with the logging endpoints.
	host := envWhere(t, "logs invocations", loggingEnabled).stack
	stack := awscdk.NewStack(newApp(), jsii.String("Props"), nil)
	cases := []struct {
		name  string
		build func()
		want  string
	}{
		{"vpc with one zone", func() {
			privatevpc.New(stack, "OneZone", privatevpc.Props{AvailabilityZones: []string{"us-east-1a"}, Cidr: "10.0.0.0/16", LogKey: host.LogKey, LogRetention: "ONE_YEAR"})
		}, "Props.AvailabilityZones has 1 zones: give at least 2"},
		{"vpc with a bad CIDR", func() {
			privatevpc.New(stack, "BadCidr", privatevpc.Props{AvailabilityZones: []string{"a", "b"}, Cidr: "10.0.0.0", LogKey: host.LogKey, LogRetention: "ONE_YEAR"})
		}, `Props.Cidr "10.0.0.0" is not an IPv4 CIDR block`},
		{"vpc with a malformed endpoint service", func() {
			privatevpc.New(stack, "BadEndpoint", privatevpc.Props{AvailabilityZones: []string{"a", "b"}, Cidr: "10.0.0.0/16", LogKey: host.LogKey, LogRetention: "ONE_YEAR", InterfaceEndpoints: []string{"com.amazonaws.us-east-1.SQS"}})
		}, `Props.InterfaceEndpoints has "com.amazonaws.us-east-1.SQS", not an AWS service name: give the last part of com.amazonaws.<region>.<name>`},
		{"vpc without retention or key, both reported", func() {
			privatevpc.New(stack, "NoRetention", privatevpc.Props{AvailabilityZones: []string{"a", "b"}, Cidr: "10.0.0.0/16"})
		}, "Props.LogKey is nil: give the customer-managed key for the VPC's log groups\nProps.LogRetention is not set"},
		{"endpoint without models", func() {
			bedrockendpoint.New(stack, "NoModels", bedrockendpoint.Props{Vpc: host.Vpc.Resource})
		}, "Props.ModelArns is empty"},
		{"endpoint without VPC", func() {
			bedrockendpoint.New(stack, "NoVpc", bedrockendpoint.Props{ModelArns: []string{"arn:aws:bedrock:us-east-1::foundation-model/x.y"}})
		}, "Props.Vpc is nil"},
		{"invoker default model not allowed", func() {
			invoker.New(stack, "BadDefault", invoker.Props{Vpc: host.Vpc.Resource, Endpoint: host.Endpoint,
				ModelIDs: []string{"a.b"}, DefaultModelID: "c.d", LogKey: host.LogKey, LogRetention: "ONE_YEAR"})
		}, `Props.DefaultModelID "c.d" is not in Props.ModelIDs: pick one of the allowed models`},
		{"invoker without code", func() {
			invoker.New(stack, "NoCode", invoker.Props{Vpc: host.Vpc.Resource, Endpoint: host.Endpoint,
				ModelIDs: []string{"a.b"}, DefaultModelID: "a.b", LogRetention: "ONE_YEAR"})
		}, "Props.Code is nil: give the built handler, e.g. golambda.Code(\"lambda/invoker\")\nProps.LogKey is nil"},
		{"logging without a bedrock endpoint", func() {
			invocationlogging.New(stack, "NoBedrockEndpoint", invocationlogging.Props{Network: &privatevpc.Vpc{}, Text: true, LogRetention: "ONE_YEAR"})
		}, `Props.Network has no "bedrock" interface endpoint`},
		{"logging without handler or key", func() {
			invocationlogging.New(stack, "NoHandler", invocationlogging.Props{Network: host.Vpc, Text: true, LogRetention: "ONE_YEAR"})
		}, "Props.ConfigurationHandler is nil: give the built handler, e.g. golambda.Code(\"lambda/loggingconfig\")\nProps.LogKey is nil"},
		{"logging with a malformed key prefix", func() {
			invocationlogging.New(stack, "BadPrefix", invocationlogging.Props{Network: host.Vpc, Text: true, LogRetention: "ONE_YEAR", KeyPrefix: "/logs/"})
		}, `Props.KeyPrefix "/logs/" is not a plain S3 key prefix`},
		{"logging with nothing to log", func() {
			invocationlogging.New(stack, "NothingLogged", invocationlogging.Props{Network: host.Vpc, LogRetention: "ONE_YEAR"})
		}, "Props.Text, Image and Embedding are all false"},
		{"logging expiring locked objects", func() {
			invocationlogging.New(stack, "ExpiresLocked", invocationlogging.Props{Network: host.Vpc, Text: true, LogRetention: "ONE_YEAR", ObjectLockDays: 30, ExpireAfterDays: 7})
		}, "Props.ExpireAfterDays 7 is shorter than ObjectLockDays 30"},
		{"logging expiring before the default lock ends", func() {
			invocationlogging.New(stack, "ExpiresDefaultLock", invocationlogging.Props{Network: host.Vpc, Text: true, LogRetention: "ONE_YEAR", ExpireAfterDays: 7})
		}, "Props.ExpireAfterDays 7 is shorter than ObjectLockDays 30"},
		{"a second deploy-time call provider in one stack", func() {
			vpcsdkcall.New(host.Stack, vpcsdkcall.Props{Vpc: host.Vpc.Resource, LogKey: host.LogKey, LogRetention: "ONE_YEAR"})
		}, "already has a provider: pass that one to every caller"},
		{"deploy-time call without a policy", func() {
			host.Vpc.SdkCalls.Call(stack, "NoPolicy", vpcsdkcall.Call{OnCreate: &customresources.AwsSdkCall{Service: jsii.String("EC2"), Action: jsii.String("describeVpcs")}})
		}, "Call.Policy is nil: allow exactly the calls' actions on their resources"},
		{"log group without a name", func() {
			loggroup.New(stack, "NoName", loggroup.Props{Key: host.LogKey, Retention: "ONE_YEAR"})
		}, "Props.Name is empty"},
		{"log group kept forever", func() {
			loggroup.New(stack, "Forever", loggroup.Props{Name: "/x", Key: host.LogKey, Retention: "INFINITE"})
		}, "Props.Retention is not set"},
		{"key without a description", func() {
			cmk.New(stack, "NoDescription", cmk.Props{})
		}, "Props.Description is empty: say what the key protects"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				got := fmt.Sprint(recover())
				if !strings.Contains(got, c.want) || got == "<nil>" {
					t.Errorf("panic %q, want one containing %q", got, c.want)
				}
			}()
			c.build()
		})
	}
}

// An endpoint nobody was admitted to fails synthesis, not deployment.
func TestEndpointWithoutPrincipalsFailsSynthesis(t *testing.T) {
	app := newApp()
	stack := awscdk.NewStack(app, jsii.String("NoPrincipals"), nil)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{NatGateways: jsii.Number(0)})
	bedrockendpoint.New(stack, "Endpoint", bedrockendpoint.Props{Vpc: vpc, ModelArns: []string{"arn:aws:bedrock:us-east-1::foundation-model/a.b"}})
	defer func() {
		if got := fmt.Sprint(recover()); !strings.Contains(got, "bedrockendpoint: no principals: set Props.Principals or call GrantInvoke") {
			t.Errorf("synthesis error %q, want the missing principals named", got)
		}
	}()
	app.Synth(nil)
}
