// Package alerttopic creates the environment's administrator alert topic: an SNS topic encrypted with a
// customer-managed key, which CloudWatch alarms and EventBridge rules of this account may publish to,
// and a dead-letter queue that keeps the alerts that could not be delivered.
package alerttopic

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/compliance"
)

// Props configures the topic.
type Props struct {
	// Emails subscribe to the topic. SNS mails each address a confirmation link, and the address
	// receives nothing until someone follows it. Each subscription's construct ID is its address, so
	// reordering the list changes nothing. Default: none; the topic exists anyway, so subscriptions
	// can be added later without touching the alarms and rules that publish to it.
	Emails []string
	// HTTPSEndpoints subscribe to the topic, e.g. a chat or paging webhook; https:// URLs only, and the
	// endpoint must confirm the subscription. Default: none.
	HTTPSEndpoints []string
	// TopicName of the topic. It must be fixed rather than generated: the key policy names the topic,
	// and the topic names the key. Default: "<stack name>-alerts".
	TopicName string
	// RemovalPolicy of the key and the dead-letter queue. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// Topic is what New made.
type Topic struct {
	constructs.Construct
	Resource awssns.Topic
	// Key encrypts the topic's messages.
	Key awskms.Key
	// DeadLetters keeps, for 14 days, the alerts that SNS could not deliver to a subscriber and the
	// events EventBridge could not publish to the topic.
	DeadLetters awssqs.Queue
	// ruleTarget is the topic as EventBridge targets see it; see RuleTarget.
	ruleTarget awssns.ITopic
}

// New creates the key, topic, dead-letter queue and subscriptions.
func New(scope constructs.Construct, id string, props Props) *Topic {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("alerttopic %q: %v", id, err))
	}
	removal := props.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	name := props.TopicName
	if name == "" {
		name = *stack.StackName() + "-alerts"
	}
	t := &Topic{Construct: c}
	t.Key = cmk.New(c, "Key", cmk.Props{
		Description:   "Encrypts the administrator alert topic of " + *stack.StackName(),
		RemovalPolicy: removal,
	})
	t.Resource = awssns.NewTopic(c, jsii.String("Resource"), &awssns.TopicProps{
		TopicName:   jsii.String(name),
		DisplayName: jsii.String("Alerts of " + *stack.StackName()),
		MasterKey:   t.Key,
		// Adds a Deny of sns:Publish without TLS (aws:SecureTransport false) to the topic policy.
		EnforceSSL: jsii.Bool(true),
		// SHA256 signatures, which HTTPS subscribers should verify before they trust a message.
		SignatureVersion: jsii.String("2"),
	})
	// The ARN is built from the name, not taken from the topic: the key policy needs it, and the
	// topic's own ARN would make the key depend on the topic that depends on the key.
	topicArn := stack.FormatArn(&awscdk.ArnComponents{
		Service:   jsii.String("sns"),
		Resource:  jsii.String(name),
		ArnFormat: awscdk.ArnFormat_NO_RESOURCE_NAME,
	})
	t.allowPublishers(topicArn)

	// Encrypted by SQS, not with Key: a failed delivery may be caused by Key's policy, and the queue
	// that keeps the undelivered alerts must not fail with it. It holds alert texts, not prompts.
	t.DeadLetters = awssqs.NewQueue(c, jsii.String("DeadLetters"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		// Marks the queue as a dead-letter queue (Control Tower CT.SQS.PR.1 exempts such queues from
		// having one of their own); only queues of this account and region may name it.
		RedriveAllowPolicy: &awssqs.RedriveAllowPolicy{RedrivePermission: awssqs.RedrivePermission_ALLOW_ALL},
		RemovalPolicy:      removal,
	})
	terminal := "This queue is the dead-letter queue of the alert topic's subscriptions and of the EventBridge rules that publish to it; giving it a dead-letter queue of its own would only move the undelivered alerts again. An alarm watches its depth."
	compliance.AcceptNag(t.DeadLetters,
		compliance.Exception{Rule: "AwsSolutions-SQS3", Reason: terminal},
		compliance.Exception{Rule: "Serverless-SQSRedrivePolicy", Reason: terminal},
	)

	for _, email := range props.Emails {
		t.Resource.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), &awssnssubscriptions.EmailSubscriptionProps{
			DeadLetterQueue: t.DeadLetters,
		}))
	}
	for _, endpoint := range props.HTTPSEndpoints {
		t.Resource.AddSubscription(awssnssubscriptions.NewUrlSubscription(jsii.String(endpoint), &awssnssubscriptions.UrlSubscriptionProps{
			Protocol:        awssns.SubscriptionProtocol_HTTPS,
			DeadLetterQueue: t.DeadLetters,
		}))
	}

	// EventBridge targets get the topic by reference. aws-cdk-lib's SnsTopic target grants
	// events.amazonaws.com sns:Publish on the topic and kms:Decrypt and kms:GenerateDataKey* on its key
	// without any condition, which would let any account's rules publish here; a referenced topic
	// takes no grants, and allowPublishers grants this account's rules only. The ARN built from the
	// name keeps the account and region known at synthesis, which the rule checks.
	t.ruleTarget = awssns.Topic_FromTopicArn(c, jsii.String("RuleTargetReference"), topicArn)
	return t
}

// allowPublishers lets this account's CloudWatch alarms and EventBridge rules publish to the topic and
// use its key for this topic only.
func (t *Topic) allowPublishers(topicArn *string) {
	stack := awscdk.Stack_Of(t.Construct)
	arn := func(service, resource string) *string {
		return jsii.String(fmt.Sprintf("arn:%s:%s:%s:%s:%s", *stack.Partition(), service, *stack.Region(), *stack.Account(), resource))
	}
	cloudwatch := awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)
	events := awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)
	alarms := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		"ArnLike":      map[string]any{"aws:SourceArn": arn("cloudwatch", "alarm:*")},
	}
	t.Resource.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsOfThisAccountPublish"),
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{t.Resource.TopicArn()},
		Conditions: &alarms,
	}))
	t.Resource.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("EventBridgeRulesOfThisAccountPublish"),
		Principals: &[]awsiam.IPrincipal{events},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{t.Resource.TopicArn()},
		// The account is part of the rule ARN, which EventBridge passes as aws:SourceArn.
		Conditions: &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": arn("events", "rule/*")}},
	}))

	// SNS encrypts each message with a data key whose encryption context is the topic ARN, and asks
	// KMS for it on behalf of the publisher; the context condition keeps each grant to this topic.
	thisTopic := map[string]any{"kms:EncryptionContext:aws:sns:topicArn": topicArn}
	t.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsOfThisAccountEncryptForThisTopic"),
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account(), "kms:EncryptionContext:aws:sns:topicArn": topicArn},
			"ArnLike":      map[string]any{"aws:SourceArn": arn("cloudwatch", "alarm:*")},
		},
	}), jsii.Bool(false))
	t.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("EventBridgeEncryptsForThisTopic"),
		Principals: &[]awsiam.IPrincipal{events},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		// Without aws:SourceAccount and aws:SourceArn: the SNS developer guide says KMS policies cannot
		// use them for EventBridge publishing to encrypted topics (every event would be dropped). The
		// topic policy limits the publishers to this account's rules.
		Conditions: &map[string]any{"StringEquals": thisTopic},
	}), jsii.Bool(false))
}

// AlarmAction notifies the topic; give it to an alarm's AddAlarmAction.
func (t *Topic) AlarmAction() awscloudwatch.IAlarmAction {
	return awscloudwatchactions.NewSnsAction(t.Resource)
}

// RuleTarget publishes message to the topic when an EventBridge rule matches; nil publishes the event
// as it is. Events EventBridge cannot publish go to DeadLetters.
func (t *Topic) RuleTarget(message awsevents.RuleTargetInput) awsevents.IRuleTarget {
	return awseventstargets.NewSnsTopic(t.ruleTarget, &awseventstargets.SnsTopicProps{
		Message:         message,
		DeadLetterQueue: t.DeadLetters,
	})
}

func (p Props) validate() error {
	var errs []error
	for i, email := range p.Emails {
		if *awscdk.Token_IsUnresolved(jsii.String(email)) {
			continue
		}
		if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
			errs = append(errs, fmt.Errorf("Props.Emails[%d] %q is not an email address: give name@example.com, without a display name or angle brackets", i, email))
		}
	}
	for i, endpoint := range p.HTTPSEndpoints {
		if *awscdk.Token_IsUnresolved(jsii.String(endpoint)) {
			continue
		}
		u, err := url.Parse(endpoint)
		switch {
		case err != nil || u.Scheme != "https" || u.Host == "":
			errs = append(errs, fmt.Errorf("Props.HTTPSEndpoints[%d] %q is not an https:// URL: give the full URL of an HTTPS endpoint that confirms SNS subscriptions", i, endpoint))
		case u.User != nil:
			errs = append(errs, fmt.Errorf("Props.HTTPSEndpoints[%d] carries credentials: remove user:password@ from the URL, which the template and the subscription attributes show to anyone who can read them", i))
		}
	}
	for _, list := range []struct {
		name   string
		values []string
	}{{"Emails", p.Emails}, {"HTTPSEndpoints", p.HTTPSEndpoints}} {
		for i, v := range list.values {
			if slices.Index(list.values, v) < i {
				errs = append(errs, fmt.Errorf("Props.%s lists %q twice: give each subscriber once", list.name, redact(list.name, v)))
			}
		}
	}
	if p.TopicName != "" && !topicName(p.TopicName) {
		errs = append(errs, fmt.Errorf("Props.TopicName %q is not a topic name: use 1 to 256 letters, digits, hyphens and underscores", p.TopicName))
	}
	return errors.Join(errs...)
}

// redact keeps a URL's credentials out of error messages.
func redact(list, v string) string {
	if u, err := url.Parse(v); list == "HTTPSEndpoints" && err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return v
}

func topicName(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
