package cdktest_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// Two functions' code in one stack share the one imported artifacts bucket.
func TestLambdaCodeImportsTheBucketOnce(t *testing.T) {
	_, stack := cdktest.Stack("Functions")
	for _, key := range []string{"a/bootstrap.zip", "b/bootstrap.zip"} {
		if code := cdktest.LambdaCode(stack, key); code == nil {
			t.Fatalf("LambdaCode(%q) is nil", key)
		}
	}
	if got := len(*stack.Node().Children()); got != 1 {
		t.Errorf("stack children: got %d, want the one imported bucket", got)
	}
}

// Network's VPC has a subnet in each of its two zones and the interface endpoints asked for.
func TestNetwork(t *testing.T) {
	_, stack := cdktest.Stack("Network")
	vpc := cdktest.Network(stack, cdktest.LogKey(stack), "bedrock")
	if _, ok := vpc.InterfaceEndpoints["bedrock"]; !ok {
		t.Errorf("interface endpoints: %v, want bedrock among them", vpc.InterfaceEndpoints)
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	if got := len(*tmpl.FindResources(jsii.String("AWS::EC2::Subnet"), nil)); got != 2 {
		t.Errorf("subnets: got %d, want 2", got)
	}
	id := cdktest.LogicalID(vpc.Resource)
	if _, ok := (*tmpl.FindResources(jsii.String("AWS::EC2::VPC"), nil))[id]; !ok {
		t.Errorf("no AWS::EC2::VPC with the logical ID %q", id)
	}
}
