package environment

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/alerttopic"
	"github.com/privatebedrock/stack/constructs/detection"
	"github.com/privatebedrock/stack/constructs/securebucket"
)

// accessLogs is the stack's access-log bucket: invocation logging's, or one of its own without it.
func (s *Stack) accessLogs(env config.Environment, removal awscdk.RemovalPolicy) awss3.IBucket {
	if s.Logging != nil {
		return s.Logging.AccessLogs
	}
	return securebucket.NewAccessLogBucket(s.Stack, "AccessLogs", env.LogRetentionDays, removal)
}

// detect creates the alert topic and the alarms and change rules that notify it.
func (s *Stack) detect(env config.Environment, removal awscdk.RemovalPolicy) {
	a := env.Alerts
	s.Alerts = alerttopic.New(s.Stack, "Alerts", alerttopic.Props{
		Emails: a.Emails, HTTPSEndpoints: a.HTTPSEndpoints, RemovalPolicy: removal,
	})
	c := a.Counts()
	props := detection.Props{
		Topic:                              s.Alerts,
		InterventionsPerFiveMinutes:        c.GuardrailInterventions,
		PromptAttacksPerFiveMinutes:        c.PromptAttacks,
		SensitiveInformationPerFiveMinutes: c.SensitiveInformation,
		ModelIDs:                           env.ModelIDs(),
		ClientErrorsPerFiveMinutes:         c.InvocationErrors,
		ServerErrorsPerFiveMinutes:         c.InvocationErrors,
		ThrottlesPerFiveMinutes:            c.Throttles,
		FunctionLogGroup:                   s.Invoker.LogGroup,
		AccessDeniedPerFiveMinutes:         c.AccessDenied,
		EndpointID:                         s.Endpoint.Resource.VpcEndpointId(),
		KeyArns:                            []*string{s.LogKey.KeyArn(), s.Alerts.Key.KeyArn()},
	}
	if g := s.Guardrail; g != nil {
		props.GuardrailArn, props.GuardrailVersion = g.Arn, g.VersionNumber
		props.KeyArns = append(props.KeyArns, g.Key.KeyArn())
	}
	if l := s.Logging; l != nil {
		props.InvocationLogGroup = l.LogGroup
		props.Buckets = append(props.Buckets, l.Bucket.BucketName(), l.Vault.BucketName(), l.AccessLogs.BucketName())
		props.KeyArns = append(props.KeyArns, l.Key.KeyArn())
	}
	if p := s.Prompts; p != nil {
		props.Buckets = append(props.Buckets, p.Bucket.BucketName())
		props.KeyArns = append(props.KeyArns, p.Key.KeyArn())
	}
	s.Detection = detection.New(s.Stack, "Detection", props)
}
