package test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// TestNoUnsuppressedNagFindings fails on every cdk-nag error or warning (AWS Solutions, NIST 800-53 R5,
// Serverless) that is not suppressed on its resource.
func TestNoUnsuppressedNagFindings(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) { noNagFindings(t, s.stack.Stack) })
	t.Run(organizationLabel, func(t *testing.T) { noNagFindings(t, org.stack.Stack) })
	t.Run(pipelineLabel, func(t *testing.T) { noNagFindings(t, delivery.Stack) })
}

func noNagFindings(t *testing.T, stack awscdk.Stack) {
	t.Helper()
	annotations := assertions.Annotations_FromStack(stack)
	nagRule := assertions.Match_StringLikeRegexp(jsii.String("(AwsSolutions|NIST|Serverless).*"))
	var findings []string
	for level, found := range map[string]*[]*cxapi.SynthesisMessage{
		"error":   annotations.FindError(jsii.String("*"), nagRule),
		"warning": annotations.FindWarning(jsii.String("*"), nagRule),
	} {
		for _, f := range *found {
			rule, _, _ := strings.Cut(fmt.Sprint(f.Entry.Data), ": ")
			findings = append(findings, fmt.Sprintf("%s %s %s", level, rule, *f.Id))
		}
	}
	sort.Strings(findings)
	if len(findings) > 0 {
		t.Errorf("%d unsuppressed cdk-nag findings:\n%s", len(findings), strings.Join(findings, "\n"))
	}
}
