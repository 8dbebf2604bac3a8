package environment

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// checkCompliance runs the cdk-nag AWS Solutions, NIST 800-53 rev 5 and Serverless packs over the
// stack at synthesis. Findings are errors and warnings on the construct they concern; the few accepted
// ones are suppressed on that one resource, with the reason, where the resource is made. The CSV
// reports are written only when asked for: cdk-nag appends them to disk a line per rule and resource,
// which costs a tenth of a second per synthesis.
func checkCompliance(stack awscdk.Stack, reports bool) {
	props := &cdknag.NagPackProps{Reports: jsii.Bool(reports)}
	aspects := awscdk.Aspects_Of(stack)
	aspects.Add(cdknag.NewAwsSolutionsChecks(props), nil)
	aspects.Add(cdknag.NewNIST80053R5Checks(props), nil)
	aspects.Add(cdknag.NewServerlessChecks(props), nil)
}
