package detection

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
)

// Names of the alarms and rules New can make. Each is the construct ID of its alarm or rule and its key
// in Detection.Alarms or Detection.Rules; alarm names add the stack name in front.
const (
	GuardrailInterventions   = "GuardrailInterventions"
	PromptAttacks            = "PromptAttacks"
	SensitiveInformation     = "SensitiveInformation"
	InvocationClientErrors   = "InvocationClientErrors"
	InvocationServerErrors   = "InvocationServerErrors"
	InvocationThrottles      = "InvocationThrottles"
	FunctionAccessDenied     = "FunctionAccessDenied"
	UndeliveredAlerts        = "UndeliveredAlerts"
	InvocationLoggingChanges = "InvocationLoggingChanges"
	GuardrailChanges         = "GuardrailChanges"
	CloudTrailChanges        = "CloudTrailChanges"
	BucketChanges            = "BucketChanges"
	EndpointChanges          = "EndpointChanges"
	KeyChanges               = "KeyChanges"
)

// Row is one alert: what fires it, at which threshold, and what the administrator does about it. The
// alarm descriptions and rule messages that reach subscribers are built from the same rows.
type Row struct {
	// Name is one of the names above.
	Name string
	// Kind is "alarm" or "rule".
	Kind string
	// Fires says which metric or API call fires the alert.
	Fires string
	// Threshold says how much of it fires the alert.
	Threshold string
	// Action is what the administrator should do.
	Action string
}

// alarmSpec is everything about an alarm except its metric, which needs the constructs.
type alarmSpec struct {
	Row
	threshold float64
	// missing is the alarm's TreatMissingData (see alarms).
	missing awscloudwatch.TreatMissingData
}

// ruleSpec is everything about a rule except its pattern's resource values.
type ruleSpec struct {
	Row
	source      string
	eventSource string
	eventNames  []string
}

// features says which inputs a Props provides; thresholds come with defaults applied.
type features struct {
	guardrail, invocationLogs, models, functionLogs, buckets, endpoint, keys bool
	interventions, promptAttacks, sensitive                                  float64
	clientErrors, serverErrors, throttles, accessDenied                      float64
}

func (p Props) features() features {
	p = p.withDefaults()
	return features{
		guardrail:      p.GuardrailArn != nil,
		invocationLogs: p.InvocationLogGroup != nil,
		models:         len(p.ModelIDs) > 0,
		functionLogs:   p.FunctionLogGroup != nil,
		buckets:        len(p.Buckets) > 0,
		endpoint:       p.EndpointID != nil,
		keys:           len(p.KeyArns) > 0,
		interventions:  p.InterventionsPerFiveMinutes,
		promptAttacks:  p.PromptAttacksPerFiveMinutes,
		sensitive:      p.SensitiveInformationPerFiveMinutes,
		clientErrors:   p.ClientErrorsPerFiveMinutes,
		serverErrors:   p.ServerErrorsPerFiveMinutes,
		throttles:      p.ThrottlesPerFiveMinutes,
		accessDenied:   p.AccessDeniedPerFiveMinutes,
	}
}

func perFiveMinutes(threshold float64) string {
	return strconv.FormatFloat(threshold, 'g', -1, 64) + " or more in 5 minutes"
}

// alarms lists the alarms f calls for, in table order.
func (f features) alarms() []alarmSpec {
	notBreaching := awscloudwatch.TreatMissingData_NOT_BREACHING
	var specs []alarmSpec
	// Why every alarm treats missing data as not breaching: Bedrock publishes the guardrail and runtime
	// metrics only for periods with invocations (and the error metrics only with errors); a metric
	// filter publishes only when log events arrive, its default value 0 filling the periods with
	// traffic but no match; SQS stops publishing a queue's metrics after six hours without activity,
	// and a queue that holds messages counts as active. A gap is a period in which nothing was counted.
	add := func(on bool, name, fires string, threshold float64, action string) {
		if on {
			specs = append(specs, alarmSpec{
				Row:       Row{Name: name, Kind: "alarm", Fires: fires, Threshold: perFiveMinutes(threshold), Action: action},
				threshold: threshold,
				missing:   notBreaching,
			})
		}
	}
	add(f.guardrail, GuardrailInterventions,
		"AWS/Bedrock/Guardrails InvocationsIntervened of the guardrail version (blocked or masked prompts and answers)",
		f.interventions,
		"Find the calls in the invocation logs (stopReason guardrail_intervened) and who made them (identity.arn); a burst from one caller is probing or a broken client: talk to its owner, and revoke its access if it keeps on.")
	add(f.invocationLogs, PromptAttacks,
		"Invocation log records whose guardrail trace reports a PROMPT_ATTACK finding",
		f.promptAttacks,
		"Read the records (filter the invocation log group for PROMPT_ATTACK) and identify the caller (identity.arn); treat repeated attempts as an attack on the application: revoke or rotate the caller's credentials and review what its prompts tried to make the model do.")
	add(f.invocationLogs, SensitiveInformation,
		"Invocation log records whose guardrail trace reports a sensitiveInformationPolicy finding (PII or a custom pattern)",
		f.sensitive,
		"Find which entity types were blocked or masked and in which direction (inputAssessment: sent by the user; outputAssessments: produced by the model); remind the caller's owner not to send personal data, and check that the invocation logs holding it are retained and accessed as the data requires.")
	add(f.models, InvocationClientErrors,
		"AWS/Bedrock InvocationClientErrors, summed over the configured model and inference-profile IDs",
		f.clientErrors,
		"Look up the failing calls in CloudTrail (eventSource bedrock.amazonaws.com, errorCode): AccessDenied points at an IAM, endpoint or guardrail policy, ValidationException at a client sending bad requests or an unavailable model.")
	add(f.models, InvocationServerErrors,
		"AWS/Bedrock InvocationServerErrors, summed over the configured model and inference-profile IDs",
		f.serverErrors,
		"Check the AWS Health Dashboard for Amazon Bedrock in this region; clients should retry with backoff. If it persists without a posted event, open a support case with the request IDs.")
	add(f.models, InvocationThrottles,
		"AWS/Bedrock InvocationThrottles, summed over the configured model and inference-profile IDs",
		f.throttles,
		"Find the busiest callers in the invocation logs; if the load is legitimate, request a higher quota in Service Quotas or move to a cross-region inference profile, otherwise cap the caller (e.g. the function's reserved concurrency).")
	add(f.functionLogs, FunctionAccessDenied,
		"Test function log lines at level ERROR whose error starts with \"access denied\" (Bedrock refused its call)",
		f.accessDenied,
		"Read the error in the function's log: it names what to check. Compare the function role's aws:SourceVpce condition, the bedrock-runtime endpoint policy (principal and model) and the guardrail requirement with the deployed configuration; an unexpected denial after no change of yours means someone changed a policy.")
	add(true, UndeliveredAlerts,
		"Messages in the alert topic's dead-letter queue (alerts SNS or EventBridge could not deliver)",
		1,
		"Receive the messages from the dead-letter queue and read them: they are alerts nobody got. Then fix delivery (an unconfirmed or failing subscription, or a changed key or topic policy) and delete the messages once handled.")
	// The queue's depth is a level, not a count per period.
	specs[len(specs)-1].Threshold = "any message (largest depth in 5 minutes)"
	return specs
}

// The CloudTrail event names each rule matches. CloudTrail delivers them to EventBridge as
// "AWS API Call via CloudTrail" events only where a trail records management events.
var (
	loggingEvents   = []string{"PutModelInvocationLoggingConfiguration", "DeleteModelInvocationLoggingConfiguration"}
	guardrailEvents = []string{"UpdateGuardrail", "DeleteGuardrail", "PutEnforcedGuardrailConfiguration",
		"DeleteEnforcedGuardrailConfiguration", "PutResourcePolicy", "DeleteResourcePolicy"}
	cloudTrailEvents = []string{"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"}
	bucketEvents     = []string{"PutBucketPolicy", "DeleteBucketPolicy", "PutBucketEncryption", "DeleteBucketEncryption",
		"PutBucketReplication", "DeleteBucketReplication", "PutObjectLockConfiguration"}
	endpointEvents = []string{"ModifyVpcEndpoint"}
	keyEvents      = []string{"DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"}
)

// rules lists the rules f calls for, in table order.
func (f features) rules() []ruleSpec {
	var specs []ruleSpec
	add := func(on bool, name, source, eventSource string, events []string, scope, action string) {
		if on {
			specs = append(specs, ruleSpec{
				Row: Row{Name: name, Kind: "rule", Fires: strings.Join(events, ", ") + " " + scope,
					Threshold: "every call", Action: action},
				source: source, eventSource: eventSource, eventNames: events,
			})
		}
	}
	add(true, InvocationLoggingChanges, "aws.bedrock", "bedrock.amazonaws.com", loggingEvents,
		"(model invocation logging of the account and region)",
		"Expected when a deployment of this stack creates or changes the logging configuration, from its configuration handler's role. From anyone else, run aws bedrock get-model-invocation-logging-configuration: logging that is off or points elsewhere hides every prompt from now on; redeploy the stack to restore it and find out who changed it.")
	add(true, GuardrailChanges, "aws.bedrock", "bedrock.amazonaws.com", guardrailEvents,
		"(any guardrail, account-level guardrail enforcement or Bedrock resource policy)",
		"Expected only from deployments. Otherwise compare the guardrail, its enforcement and resource policy with the stack's configuration (cdk diff) and redeploy to restore them; a deleted or unenforced guardrail leaves prompts unfiltered.")
	add(true, CloudTrailChanges, "aws.cloudtrail", "cloudtrail.amazonaws.com", cloudTrailEvents,
		"(any trail in the account and region)",
		"Check with aws cloudtrail get-trail-status that the trail still records management events: these change alerts depend on it. Restart logging or restore the selectors, and find out who changed the trail.")
	add(f.buckets, BucketChanges, "aws.s3", "s3.amazonaws.com", bucketEvents,
		"(the stack's log buckets)",
		"Compare the bucket's policy, encryption, replication and Object Lock settings with the stack (cdk diff) and redeploy to restore them; a weakened policy or removed encryption exposes the prompts in the logs.")
	add(f.endpoint, EndpointChanges, "aws.ec2", "ec2.amazonaws.com", endpointEvents,
		"(the bedrock-runtime endpoint)",
		"Compare the endpoint policy, security groups and private DNS with the stack (cdk diff) and redeploy to restore them; a widened endpoint policy lets other principals or models through the private path.")
	add(f.keys, KeyChanges, "aws.kms", "kms.amazonaws.com", keyEvents,
		"(the stack's customer-managed keys)",
		"Act at once: a disabled key or one pending deletion makes the logs it encrypts unreadable. Cancel the deletion (aws kms cancel-key-deletion) or enable the key, compare the key policy with the stack, and find out who made the call.")
	return specs
}

// Table is the list of alerts New makes for props, in order: alarms first, then rules. It needs no
// constructs; Topic is ignored.
func Table(props Props) []Row {
	f := props.features()
	var rows []Row
	for _, a := range f.alarms() {
		rows = append(rows, a.Row)
	}
	for _, r := range f.rules() {
		rows = append(rows, r.Row)
	}
	return rows
}

// FullTable is Table for props that provide every input, with the default thresholds: the table of
// every alert this package can make, for the README.
func FullTable() []Row {
	f := Props{}.features()
	f.guardrail, f.invocationLogs, f.models, f.functionLogs, f.buckets, f.endpoint, f.keys = true, true, true, true, true, true, true
	var rows []Row
	for _, a := range f.alarms() {
		rows = append(rows, a.Row)
	}
	for _, r := range f.rules() {
		rows = append(rows, r.Row)
	}
	return rows
}

// Markdown renders rows as a Markdown table: | Alert | Kind | Fires on | Threshold | What to do |.
func Markdown(rows []Row) string {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	var b strings.Builder
	b.WriteString("| Alert | Kind | Fires on | Threshold | What to do |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(r.Name), cell(r.Kind), cell(r.Fires), cell(r.Threshold), cell(r.Action))
	}
	return b.String()
}
