// Package detection creates the alarms and change rules that notify administrators through the alert
// topic: guardrail interventions, prompt attacks and sensitive information found in the invocation
// logs, Bedrock errors and throttles, access denials of the test function, and changes to invocation
// logging, guardrails, CloudTrail, the log buckets, the endpoint and the keys.
//
// Table lists what New makes, with the threshold and what the administrator should do for each alert;
// the alarm descriptions and rule messages carry the same text.
package detection

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/alerttopic"
)

// Props configures the alerts. Thresholds are the counts per five minutes at which an alarm fires; a
// zero threshold takes its default.
type Props struct {
	// Topic receives every alarm and rule notification. Required.
	Topic *alerttopic.Topic

	// GuardrailArn and GuardrailVersion identify the guardrail whose interventions are counted: the
	// ARN without a version suffix, and a version number (or DRAFT). Both or neither. Default: no
	// guardrail alarm.
	GuardrailArn     *string
	GuardrailVersion *string
	// InterventionsPerFiveMinutes is the GuardrailInterventions threshold. A guardrail that works
	// intervenes now and then; a burst is someone probing. Default: 10.
	InterventionsPerFiveMinutes float64

	// InvocationLogGroup is the Bedrock model invocation log group; the prompt-attack and
	// sensitive-information alarms count its records through metric filters. Default: no such alarms.
	InvocationLogGroup awslogs.ILogGroup
	// PromptAttacksPerFiveMinutes is the PromptAttacks threshold. Default: 1, every record.
	PromptAttacksPerFiveMinutes float64
	// SensitiveInformationPerFiveMinutes is the SensitiveInformation threshold. Default: 1, every
	// record.
	SensitiveInformationPerFiveMinutes float64

	// ModelIDs are the model and inference-profile IDs callers use (the ModelId dimension of the
	// AWS/Bedrock metrics); the error and throttle alarms sum them. At most 10: an alarm's metric math
	// takes at most 10 metrics. Default: no such alarms.
	ModelIDs []string
	// ClientErrorsPerFiveMinutes is the InvocationClientErrors threshold. Default: 10.
	ClientErrorsPerFiveMinutes float64
	// ServerErrorsPerFiveMinutes is the InvocationServerErrors threshold. Default: 5.
	ServerErrorsPerFiveMinutes float64
	// ThrottlesPerFiveMinutes is the InvocationThrottles threshold. Default: 10.
	ThrottlesPerFiveMinutes float64

	// FunctionLogGroup is the test function's log group, in Lambda's JSON log format. Default: no
	// FunctionAccessDenied alarm.
	FunctionLogGroup awslogs.ILogGroup
	// AccessDeniedPerFiveMinutes is the FunctionAccessDenied threshold. Default: 1, every denial.
	AccessDeniedPerFiveMinutes float64

	// MetricNamespace receives the metric-filter metrics. Default: "PrivateBedrock/<stack name>".
	MetricNamespace string

	// Buckets are the names of the stack's log buckets, whose policy, encryption, replication and
	// Object Lock changes are reported. Default: none, no BucketChanges rule.
	Buckets []*string
	// EndpointID is the bedrock-runtime endpoint whose modifications are reported. Default: none, no
	// EndpointChanges rule.
	EndpointID *string
	// KeyArns are the stack's customer-managed keys (ARNs, not aliases), whose disabling, scheduled
	// deletion and policy changes are reported. Default: none, no KeyChanges rule.
	KeyArns []*string
}

// Detection is what New made.
type Detection struct {
	constructs.Construct
	// Alarms and Rules by name (the constants of this package).
	Alarms map[string]awscloudwatch.Alarm
	Rules  map[string]awsevents.Rule
	// MetricFilters by the name of the alarm that reads them.
	MetricFilters map[string]awslogs.MetricFilter
	rows          []Row
	// event describes a CloudTrail event in a rule's message; the same for every rule, made once.
	event string
}

// Table lists the alerts made, in order; it equals the package function Table for the same Props.
func (d *Detection) Table() []Row { return slices.Clone(d.rows) }

// Metric filter patterns. CloudWatch Logs JSON selectors name fixed paths only: no wildcard for a map
// key or an array position. The guardrail trace in an invocation log record keeps its assessments in
// maps keyed by guardrail ID (inputAssessment, outputAssessments; the InvokeModel form under
// amazon-bedrock-trace) and its findings in arrays, so the invocation-log patterns are terms, which
// match anywhere in the record. The terms are the enum value and the policy name Bedrock writes into
// the trace; a prompt that contains them verbatim is counted too, which errs on the side of an alert.
//
// The trace is in the record only when the caller asked for it (guardrailConfig.trace "enabled", as
// lambda/invoker does; the X-Amzn-Bedrock-Trace header for InvokeModel). With "enabled_full" the trace
// also lists the filters that found nothing, and these patterns would count every traced call. Calls
// without a trace, and records whose body Bedrock moved to S3 for size, are counted by the guardrail's
// own InvocationsIntervened metric only.
const (
	// PromptAttackPattern matches records whose trace lists a content filter finding of type
	// PROMPT_ATTACK.
	PromptAttackPattern = `"PROMPT_ATTACK"`
	// SensitiveInformationPattern matches records whose trace contains a sensitive-information
	// assessment (PII entities or custom regexes).
	SensitiveInformationPattern = `"sensitiveInformationPolicy"`
	// AccessDeniedPattern matches the test function's log line for a denied Bedrock call: the handler
	// (lambda/invoker) logs every failure at level ERROR and words an AccessDeniedException as
	// "access denied invoking model ...".
	AccessDeniedPattern = `{ ($.level = "ERROR") && ($.error = "access denied*") }`
)

// Metric names of the metric filters, in Props.MetricNamespace.
const (
	promptAttackMetric  = "GuardrailPromptAttacks"
	sensitiveInfoMetric = "GuardrailSensitiveInformation"
	accessDeniedMetric  = "FunctionAccessDenied"
)

const (
	fiveMinutes          = 5
	maxMetricsInAnAlarm  = 10
	defaultInterventions = 10
	defaultClientErrors  = 10
	defaultServerErrors  = 5
	defaultThrottles     = 10
	// An occurrence of these is already worth a look.
	defaultPromptAttacks = 1
	defaultSensitive     = 1
	defaultAccessDenied  = 1
)

// New creates the metric filters, alarms and rules.
func New(scope constructs.Construct, id string, props Props) *Detection {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("detection %q: %v", id, err))
	}
	props = props.withDefaults()
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	if props.MetricNamespace == "" {
		props.MetricNamespace = "PrivateBedrock/" + *stack.StackName()
	}
	d := &Detection{
		Construct:     c,
		Alarms:        map[string]awscloudwatch.Alarm{},
		Rules:         map[string]awsevents.Rule{},
		MetricFilters: map[string]awslogs.MetricFilter{},
	}
	f := props.features()
	metrics := d.metrics(props)
	for _, a := range f.alarms() {
		metric, ok := metrics[a.Name]
		if !ok {
			panic("detection: no metric for alarm " + a.Name)
		}
		alarm := awscloudwatch.NewAlarm(c, jsii.String(a.Name), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(*stack.StackName() + "-" + a.Name),
			AlarmDescription:   jsii.String(describe(a.Row)),
			Metric:             metric(),
			Threshold:          jsii.Number(a.threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			DatapointsToAlarm:  jsii.Number(1),
			TreatMissingData:   a.missing,
		})
		alarm.AddAlarmAction(props.Topic.AlarmAction())
		d.Alarms[a.Name] = alarm
		d.rows = append(d.rows, a.Row)
	}
	for _, r := range f.rules() {
		d.Rules[r.Name] = d.rule(r, props)
		d.rows = append(d.rows, r.Row)
	}
	return d
}

// describe is the alarm description, which CloudWatch puts in every notification. At most 1024
// characters.
func describe(r Row) string {
	s := r.Fires + ". Fires at " + r.Threshold + ". What to do: " + r.Action
	if len(s) > 1024 {
		s = s[:1021] + "..."
	}
	return s
}

// metrics builds, per alarm name, the metric the alarm watches.
func (d *Detection) metrics(props Props) map[string]func() awscloudwatch.IMetric {
	period := awscdk.Duration_Minutes(jsii.Number(fiveMinutes))
	sum := func(namespace, name string, dimensions map[string]*string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String(namespace),
			MetricName:    jsii.String(name),
			DimensionsMap: &dimensions,
			Statistic:     jsii.String("Sum"),
			Period:        period,
		})
	}
	// The per-ModelId metrics summed; SUM of an array of series is one series. Missing series (a model
	// nobody called) do not hide the others.
	models := func(name string) func() awscloudwatch.IMetric {
		return func() awscloudwatch.IMetric {
			using := map[string]awscloudwatch.IMetric{}
			var ids []string
			for i, model := range props.ModelIDs {
				id := fmt.Sprintf("m%d", i)
				using[id] = sum("AWS/Bedrock", name, map[string]*string{"ModelId": jsii.String(model)})
				ids = append(ids, id)
			}
			return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
				Expression:   jsii.String("SUM([" + strings.Join(ids, ",") + "])"),
				UsingMetrics: &using,
				Label:        jsii.String(name + " of the configured models"),
				Period:       period,
			})
		}
	}
	filtered := func(alarm, metric string, logGroup awslogs.ILogGroup, pattern awslogs.IFilterPattern) func() awscloudwatch.IMetric {
		return func() awscloudwatch.IMetric {
			filter := awslogs.NewMetricFilter(d.Construct, jsii.String(alarm+"Filter"), &awslogs.MetricFilterProps{
				LogGroup:        logGroup,
				FilterPattern:   pattern,
				MetricNamespace: jsii.String(props.MetricNamespace),
				MetricName:      jsii.String(metric),
				MetricValue:     jsii.String("1"),
				// 0 for every log event that does not match, so the metric shows quiet periods with
				// traffic as zeros rather than gaps.
				DefaultValue: jsii.Number(0),
				Unit:         awscloudwatch.Unit_COUNT,
			})
			d.MetricFilters[alarm] = filter
			return filter.Metric(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: period})
		}
	}
	return map[string]func() awscloudwatch.IMetric{
		GuardrailInterventions: func() awscloudwatch.IMetric {
			return sum("AWS/Bedrock/Guardrails", "InvocationsIntervened", map[string]*string{
				"GuardrailArn": props.GuardrailArn, "GuardrailVersion": props.GuardrailVersion,
			})
		},
		PromptAttacks: filtered(PromptAttacks, promptAttackMetric, props.InvocationLogGroup,
			awslogs.FilterPattern_Literal(jsii.String(PromptAttackPattern))),
		SensitiveInformation: filtered(SensitiveInformation, sensitiveInfoMetric, props.InvocationLogGroup,
			awslogs.FilterPattern_Literal(jsii.String(SensitiveInformationPattern))),
		InvocationClientErrors: models("InvocationClientErrors"),
		InvocationServerErrors: models("InvocationServerErrors"),
		InvocationThrottles:    models("InvocationThrottles"),
		FunctionAccessDenied: filtered(FunctionAccessDenied, accessDeniedMetric, props.FunctionLogGroup,
			awslogs.FilterPattern_Literal(jsii.String(AccessDeniedPattern))),
		UndeliveredAlerts: func() awscloudwatch.IMetric {
			// SQS stops publishing queue metrics after six hours without activity, and a queue that
			// holds messages counts as active: a missing point is an empty queue.
			return props.Topic.DeadLetters.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
				Statistic: jsii.String("Maximum"), Period: period,
			})
		},
	}
}

func (p Props) withDefaults() Props {
	for _, t := range []struct {
		value *float64
		def   float64
	}{
		{&p.InterventionsPerFiveMinutes, defaultInterventions},
		{&p.ClientErrorsPerFiveMinutes, defaultClientErrors},
		{&p.ServerErrorsPerFiveMinutes, defaultServerErrors},
		{&p.ThrottlesPerFiveMinutes, defaultThrottles},
		{&p.PromptAttacksPerFiveMinutes, defaultPromptAttacks},
		{&p.SensitiveInformationPerFiveMinutes, defaultSensitive},
		{&p.AccessDeniedPerFiveMinutes, defaultAccessDenied},
	} {
		if *t.value == 0 {
			*t.value = t.def
		}
	}
	return p
}

var (
	guardrailArn     = regexp.MustCompile(`^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:guardrail/[a-z0-9]+$`)
	guardrailVersion = regexp.MustCompile(`^([1-9][0-9]{0,7}|DRAFT)$`)
	keyArn           = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-fA-F-]+$`)
	endpointID       = regexp.MustCompile(`^vpce-[0-9a-f]+$`)
	bucketName       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// literal is the value of s when it is known at synthesis; tokens are checked by CloudFormation.
func literal(s *string) (string, bool) {
	if s == nil || *awscdk.Token_IsUnresolved(s) {
		return "", false
	}
	return *s, true
}

func (p Props) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Topic == nil {
		bad("Props.Topic is nil: give the environment's alert topic (alerttopic.New)")
	}
	switch {
	case (p.GuardrailArn == nil) != (p.GuardrailVersion == nil):
		bad("Props.GuardrailArn and Props.GuardrailVersion go together: give both (the guardrail's ARN and its version number) or neither")
	case p.GuardrailArn != nil:
		if v, ok := literal(p.GuardrailArn); ok && !guardrailArn.MatchString(v) {
			bad("Props.GuardrailArn %q is not a guardrail ARN: give arn:aws:bedrock:<region>:<account>:guardrail/<id>, without a version suffix; the metric's GuardrailArn dimension is the bare ARN", v)
		}
		if v, ok := literal(p.GuardrailVersion); ok && !guardrailVersion.MatchString(v) {
			bad("Props.GuardrailVersion %q is not a guardrail version: give the version number, e.g. \"1\"", v)
		}
	}
	for _, t := range []struct {
		name  string
		value float64
	}{
		{"InterventionsPerFiveMinutes", p.InterventionsPerFiveMinutes},
		{"PromptAttacksPerFiveMinutes", p.PromptAttacksPerFiveMinutes},
		{"SensitiveInformationPerFiveMinutes", p.SensitiveInformationPerFiveMinutes},
		{"ClientErrorsPerFiveMinutes", p.ClientErrorsPerFiveMinutes},
		{"ServerErrorsPerFiveMinutes", p.ServerErrorsPerFiveMinutes},
		{"ThrottlesPerFiveMinutes", p.ThrottlesPerFiveMinutes},
		{"AccessDeniedPerFiveMinutes", p.AccessDeniedPerFiveMinutes},
	} {
		if t.value < 0 || math.IsNaN(t.value) || math.IsInf(t.value, 0) {
			bad("Props.%s %v is not a count: give 0 for the default or a positive number of events per five minutes above which the alarm fires", t.name, t.value)
		}
	}
	if n := len(p.ModelIDs); n > maxMetricsInAnAlarm {
		bad("Props.ModelIDs has %d IDs: an alarm's metric math takes at most %d metrics; give the %d IDs callers use most", n, maxMetricsInAnAlarm, maxMetricsInAnAlarm)
	}
	for i, m := range p.ModelIDs {
		switch {
		case strings.TrimSpace(m) == "":
			bad("Props.ModelIDs[%d] is empty: give a model or inference-profile ID such as anthropic.claude-3-haiku-20240307-v1:0", i)
		case slices.Index(p.ModelIDs, m) < i:
			bad("Props.ModelIDs lists %q twice: give each ID once, or its metrics are counted twice", m)
		}
	}
	if p.MetricNamespace != "" && (strings.HasPrefix(p.MetricNamespace, "AWS/") || len(p.MetricNamespace) > 255) {
		bad("Props.MetricNamespace %q is not a custom namespace: give up to 255 characters not starting with AWS/", p.MetricNamespace)
	}
	for i, b := range p.Buckets {
		if b == nil {
			bad("Props.Buckets[%d] is nil: give the bucket's name", i)
		} else if v, ok := literal(b); ok && !bucketName.MatchString(v) {
			bad("Props.Buckets[%d] %q is not a bucket name: give the name, not the ARN", i, v)
		}
	}
	if v, ok := literal(p.EndpointID); ok && !endpointID.MatchString(v) {
		bad("Props.EndpointID %q is not a VPC endpoint ID: give vpce-...", v)
	}
	for i, k := range p.KeyArns {
		if k == nil {
			bad("Props.KeyArns[%d] is nil: give the key's ARN", i)
		} else if v, ok := literal(k); ok && !keyArn.MatchString(v) {
			bad("Props.KeyArns[%d] %q is not a key ARN: give arn:aws:kms:<region>:<account>:key/<key id>; CloudTrail names keys by ARN, not by alias", i, v)
		}
	}
	return errors.Join(errs...)
}
