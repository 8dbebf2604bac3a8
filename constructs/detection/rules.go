package detection

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/jsii-runtime-go"
)

// rule creates one change rule. It matches "AWS API Call via CloudTrail" events, which EventBridge
// receives only where a CloudTrail trail records management events in this account and region, and
// sends the topic a text that names the call, the caller and what to do. Failed calls match too: an
// attempt that was denied is worth knowing about.
func (d *Detection) rule(spec ruleSpec, props Props) awsevents.Rule {
	detail := map[string]any{
		"eventSource": []string{spec.eventSource},
		"eventName":   spec.eventNames,
	}
	// Each resource filter names the documented field first; where CloudTrail does not document the
	// shape of requestParameters, $or also accepts the other shape in use, so a format change does
	// not silence the rule.
	switch spec.Name {
	case BucketChanges:
		detail["requestParameters"] = map[string]any{"bucketName": props.Buckets}
	case EndpointChanges:
		// EC2 records newer query actions under a "<Action>Request" object.
		detail["$or"] = []any{
			map[string]any{"requestParameters": map[string]any{"ModifyVpcEndpointRequest": map[string]any{"VpcEndpointId": []*string{props.EndpointID}}}},
			map[string]any{"requestParameters": map[string]any{"vpcEndpointId": []*string{props.EndpointID}}},
		}
	case KeyChanges:
		// KMS events list the key in resources[].ARN whatever form of key ID the caller passed;
		// requestParameters.keyId holds the ARN only when the caller used it.
		detail["$or"] = []any{
			map[string]any{"resources": map[string]any{"ARN": props.KeyArns}},
			map[string]any{"requestParameters": map[string]any{"keyId": props.KeyArns}},
		}
	}
	if d.event == "" {
		// Event fields are tokens each rule's target resolves for itself, so one set serves every rule.
		field := func(path string) string { return *awsevents.EventField_FromPath(jsii.String(path)) }
		d.event = field("$.detail.eventName") + " on " + field("$.detail.eventSource") +
			" by " + field("$.detail.userIdentity.arn") + " at " + field("$.detail.eventTime") +
			" from " + field("$.detail.sourceIPAddress") + " in account " + field("$.account") + ", region " + field("$.region") +
			". Error code (empty if the call succeeded): " + field("$.detail.errorCode") +
			". CloudTrail event ID: " + field("$.detail.eventID")
	}
	message := spec.Name + ": " + d.event + ". What to do: " + spec.Action
	rule := awsevents.NewRule(d.Construct, jsii.String(spec.Name), &awsevents.RuleProps{
		Description: jsii.String(spec.Fires),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings(spec.source),
			DetailType: jsii.Strings("AWS API Call via CloudTrail"),
			Detail:     &detail,
		},
		Targets: &[]awsevents.IRuleTarget{props.Topic.RuleTarget(awsevents.RuleTargetInput_FromText(jsii.String(message)))},
	})
	// The target names the topic by its ARN, which carries no dependency.
	rule.Node().AddDependency(props.Topic.Resource)
	return rule
}
