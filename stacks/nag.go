package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// checkCompliance runs the cdk-nag AWS Solutions, NIST 800-53 rev 5 and Serverless packs over the
// stack at synthesis. Findings are errors and warnings on the construct they concern; the few accepted
// ones are suppressed on that one resource, with the reason, where the resource is made.
func checkCompliance(stack awscdk.Stack) {
	aspects := awscdk.Aspects_Of(stack)
	aspects.Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{}), nil)
	aspects.Add(cdknag.NewNIST80053R5Checks(&cdknag.NagPackProps{}), nil)
	aspects.Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{}), nil)
}
