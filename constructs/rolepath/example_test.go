package rolepath_test

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/rolepath"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleApply() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Delivery")
	lambda := awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil)
	// A role made here gets the path where it is made; one a library makes, from Apply.
	awsiam.NewRole(stack, jsii.String("Own"), &awsiam.RoleProps{AssumedBy: lambda, Path: rolepath.Of(stack)})
	awsiam.NewRole(stack, jsii.String("Library"), &awsiam.RoleProps{AssumedBy: lambda})
	awsiam.NewRole(stack, jsii.String("Elsewhere"), &awsiam.RoleProps{AssumedBy: lambda, Path: jsii.String("/service-role/")})
	rolepath.Apply(stack)

	roles := *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::IAM::Role"), nil)
	var paths []string
	for _, r := range roles {
		paths = append(paths, fmt.Sprint((*r)["Properties"].(map[string]any)["Path"]))
	}
	slices.Sort(paths)
	fmt.Println(paths)
	// Output:
	// [/Delivery/ /Delivery/ /service-role/]
}
