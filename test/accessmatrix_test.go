package test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/invocationlogging"
	"github.com/privatebedrock/stack/internal/cfnresolve"
	"github.com/privatebedrock/stack/stacks/environment"
)

// TestAccessMatrix evaluates who may do what with the policies exactly as synthesized, using the
// offline IAM evaluator (tools/iameval), and keeps the resulting matrix as a golden file that the
// README includes. A row is a request plus every policy that applies to it.
func TestAccessMatrix(t *testing.T) {
	var cases []accessCase
	for i, name := range names {
		cases = append(cases, accessCases(t, envs[name])...)
		if i > 0 {
			continue
		}
		// The Deny drill, for the fixture's first environment only, comes from a real synthesis with
		// endpointPolicyEffect "Deny", not from editing the Allow policy: it proves what the construct emits.
		deny := denyVariant(name)
		p := policiesOf(t, deny)
		cases = append(cases, accessCase{
			env: name, name: "endpoint policy synthesized with effect Deny: allowed model through the endpoint",
			who: "invoker role", principal: p.invokerSession, action: "bedrock:InvokeModel", resource: deny.env.ModelArns()[0],
			account: deny.env.Account, vpce: p.endpointID, identity: p.invokerIdentity, endpoint: &p,
			want: "ExplicitlyDenied",
		})
	}

	cases = append(cases, organizationCases(t)...)
	cases = append(cases, executionPolicyCases(t)...)

	results := evaluate(t, cases)
	// A subtest per environment, one for the organisation's policies and one for the execution policy.
	for _, label := range append(slices.Clone(names), organizationLabel, executionLabel) {
		t.Run(label, func(t *testing.T) {
			checkAccessCases(t, label, cases, results)
		})
	}

	table := matrixTable(cases, results)
	t.Log("\n" + table)
	// The README shows the fixture's first environment.
	var first []accessCase
	for _, c := range cases {
		if c.env == names[0] {
			first = append(first, c)
		}
	}
	readmeBlock(t, "dev access matrix", "TestAccessMatrix", strings.SplitN(matrixTable(first, results), "\n\n", 2)[1])
	const golden = "testdata/access-matrix.md"
	if *update {
		if err := os.WriteFile(golden, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v: run go test ./test/ -run TestAccessMatrix -update to create it", err)
	}
	if string(want) != table {
		t.Errorf("access matrix drifted from %s: review the table above, then run go test ./test/ -run TestAccessMatrix -update", golden)
	}
}

// checkAccessCases compares the decisions of the rows labelled env with what they expect.
func checkAccessCases(t *testing.T, env string, cases []accessCase, results map[string]evalResult) {
	t.Helper()
	for _, c := range cases {
		if c.env != env {
			continue
		}
		r := results[c.id()]
		if r.Decision != c.want {
			t.Errorf("%s: got %s, want %s (%s)", c.name, r.Decision, c.want, r.Explain)
		}
		for _, w := range r.Warnings {
			// iam-simulate drops kms:EncryptionContext keys (tools/iameval/NOTES.md, quirk 3). No
			// statement these rows reach conditions on them, so they are only logged. Any other
			// ignored key means a condition went unevaluated and the row proves nothing.
			if strings.Contains(strings.ToLower(w), "kms:encryptioncontext:") {
				t.Logf("%s: known evaluator limitation: %s", c.name, w)
			} else {
				t.Errorf("%s: evaluator ignored a context key: %s", c.name, w)
			}
		}
	}
}

// accessCase is one row of the matrix.
type accessCase struct {
	env, name string
	who       string // short principal label for the table
	principal string
	action    string
	resource  string
	what      string // short resource label; derived from the ARN for Bedrock models
	account   string // the account that owns the resource: decides same- vs cross-account
	vpce      string // aws:SourceVpce; "" when the request does not come through an endpoint
	context   map[string]any
	identity  []any
	resPolicy any
	endpoint  *stackPolicies // the bedrock-runtime endpoint policy applies when vpce is its id
	// scps are the service control policies of the principal's account, by level: {orgIdentifier,
	// policies}. None: no organisation policies apply.
	scps []any
	want string
}

func (c accessCase) id() string { return c.env + ": " + c.name }

// stackPolicies are one stack's policies with every intrinsic resolved.
type stackPolicies struct {
	invokerSession  string
	invokerIdentity []any
	// The guardrail's ARN and "<ARN>:<version>"; empty without a guardrail.
	guardrailArn, guardrailVersioned string
	// The alert topic, its policy, its key and the key's policy.
	topicArn, topicKeyArn       string
	topicPolicy, topicKeyPolicy any
	endpointID                  string
	endpointPolicy              any
	// endpointName is the endpoint's service when it is not bedrock-runtime.
	endpointName string
	// Invocation logging; empty when it is off.
	bucketArn, keyArn, deliveryRoleArn, deliverySession, logStreamArn string
	bucketPolicy, keyPolicy, trustPolicy                              any
	deliveryIdentity                                                  []any
	// The vault and the role S3 replicates into it with.
	vaultArn, replicationSession string
	vaultPolicy                  any
	replicationIdentity          []any
}

const otherAccount = "444455556666"

// accessCases are the rows of one environment.
func accessCases(t *testing.T, s *synthesized) []accessCase {
	t.Helper()
	e, p := s.env, policiesOf(t, s)
	// The endpoint policy decides whether admitted principals get through at all.
	throughEndpoint := "Allowed"
	if e.EndpointPolicyEffect == "Deny" {
		throughEndpoint = "ExplicitlyDenied"
	}
	model := e.ModelArns()[0]
	opus := fmt.Sprintf("arn:%s:bedrock:%s::foundation-model/anthropic.claude-3-opus-20240229-v1:0", e.Partition(), e.Region)
	if slices.Contains(e.ModelArns(), opus) {
		t.Fatalf("%s allows %s, which the matrix uses as the model that is not on the list", e.Name, opus)
	}
	bedrockAll := policy(stmt("bedrock:*", "*"))
	client := e.ClientPrincipals[0]
	invoke := func(name, who, principal string, identity []any, action, resource, vpce, want string) accessCase {
		return accessCase{env: e.Name, name: name, who: who, principal: principal, action: action, resource: resource,
			account: e.Account, vpce: vpce, identity: identity, endpoint: &p, want: want}
	}
	cases := []accessCase{
		invoke("allowed model through the endpoint", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", model, p.endpointID, throughEndpoint),
		invoke("allowed model through the endpoint, streaming", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModelWithResponseStream", model, p.endpointID, throughEndpoint),
		invoke("model not on the list", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", opus, p.endpointID, "ImplicitlyDenied"),
		invoke("allowed model, not through the endpoint", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", model, "", "ImplicitlyDenied"),
		invoke("allowed model through another endpoint", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", model, "vpce-0other", "ImplicitlyDenied"),
		invoke("same-account role with bedrock:* on *, not admitted by the endpoint", "DataScientist", session(e.Account, "DataScientist"), []any{bedrockAll}, "bedrock:InvokeModel", model, p.endpointID, "ImplicitlyDenied"),
		// The stack constrains calls made through its endpoint, not other identities elsewhere: this row
		// documents that boundary (an SCP would close it).
		invoke("same-account role with bedrock:* on *, not through the endpoint (outside this stack's control)", "DataScientist", session(e.Account, "DataScientist"), []any{bedrockAll}, "bedrock:InvokeModel", model, "", "Allowed"),
		invoke("configured client principal with InvokeModel on the model", "client principal", sessionOf(client), []any{policy(stmt("bedrock:InvokeModel", model))}, "bedrock:InvokeModel", model, p.endpointID, throughEndpoint),
		invoke("client principal with bedrock:* on a model not on the endpoint's list", "client principal", sessionOf(client), []any{bedrockAll}, "bedrock:InvokeModel", opus, p.endpointID, "ImplicitlyDenied"),
	}
	// Another account's principal reaching this VPC's endpoint; foundation models are evaluated in the
	// caller's account (NOTES.md quirk 5).
	outsider := invoke("other account's role with bedrock:* through this endpoint", "other-account role", session(otherAccount, "Attacker"), []any{bedrockAll}, "bedrock:InvokeModel", model, p.endpointID, "ImplicitlyDenied")
	outsider.account = otherAccount
	cases = append(cases, outsider)
	if p.guardrailArn != "" {
		cases = append(cases, guardrailCases(e, p, invoke, throughEndpoint)...)
	}
	for _, ip := range e.InferenceProfiles {
		profile := fmt.Sprintf("arn:%s:bedrock:%s:%s:inference-profile/%s", e.Partition(), e.Region, e.Account, ip.ID)
		// Bedrock authorizes a profile call on the profile and on the model in the serving region.
		served := fmt.Sprintf("arn:%s:bedrock:%s::foundation-model/%s", e.Partition(), ip.DestinationRegions[len(ip.DestinationRegions)-1], ip.ModelID())
		cases = append(cases,
			invoke("allowed inference profile through the endpoint", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", profile, p.endpointID, throughEndpoint),
			invoke("profile's model in a destination region through the endpoint", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", served, p.endpointID, throughEndpoint),
		)
	}
	cases = append(cases, accessRoleCases(t, s, p)...)
	cases = append(cases, alertCases(e, p)...)
	// The test function names the guardrail in every request; its rows above are such requests.
	for i := range cases {
		if cases[i].principal == p.invokerSession && p.guardrailVersioned != "" && cases[i].context == nil {
			cases[i].context = map[string]any{"bedrock:GuardrailIdentifier": p.guardrailVersioned}
		}
	}
	if s.stack.Logging == nil {
		return cases
	}

	prefix := e.InvocationLogging.S3KeyPrefix
	logObject := fmt.Sprintf("%s/%s/AWSLogs/%s/BedrockModelInvocationLogs/x.json.gz", p.bucketArn, prefix, e.Account)
	from := func(account, region string) map[string]any { // what Bedrock sends when it acts for an account
		return map[string]any{"aws:SourceAccount": account, "aws:SourceArn": fmt.Sprintf("arn:%s:bedrock:%s:%s:model-invocation-logging", e.Partition(), region, account)}
	}
	// S3 SSE-KMS always passes the bucket as encryption context; the evaluator drops it (logged).
	s3Context := map[string]any{"kms:EncryptionContext:aws:s3:arn": p.bucketArn}
	tls := map[string]any{"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
	analystS3 := policy(stmt("s3:GetObject", p.bucketArn+"/*"))
	row := func(name, who, principal, action, resource, what string, identity []any, resPolicy any, context map[string]any, want string) accessCase {
		return accessCase{env: e.Name, name: name, who: who, principal: principal, action: action, resource: resource, what: what,
			account: e.Account, context: context, identity: identity, resPolicy: resPolicy, want: want}
	}
	bucket, key, role := "log bucket: "+prefix+"/AWSLogs/…", "log key", "delivery role"
	vaultObject := strings.Replace(logObject, p.bucketArn, p.vaultArn, 1)
	// The replication role's key statements condition on kms:EncryptionContext, which the evaluator drops
	// (tools/iameval/NOTES.md, quirk 3): TestDeliveryBucketReplicatesIntoTheVault asserts them instead.
	replica := func(name, action, resource, what string, resPolicy any, context map[string]any, want string) accessCase {
		return row(name, "replication role", p.replicationSession, action, resource, what, p.replicationIdentity, resPolicy, context, want)
	}
	cases = append(cases,
		replica("S3 replication copies a log object into the vault", "s3:ReplicateObject", vaultObject, "vault: "+prefix+"/AWSLogs/…", p.vaultPolicy, tls, "Allowed"),
		replica("S3 replication writes into the delivery bucket", "s3:ReplicateObject", logObject, bucket, p.bucketPolicy, tls, "ImplicitlyDenied"),
	)
	return append(cases,
		row("bedrock delivers a log object for this account", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "s3:PutObject", logObject, bucket, nil, p.bucketPolicy, merge(from(e.Account, e.Region), tls), "Allowed"),
		row("bedrock acting for another account writes a log object", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "s3:PutObject", logObject, bucket, nil, p.bucketPolicy, merge(from(otherAccount, e.Region), tls), "ImplicitlyDenied"),
		row("bedrock acting for this account in another region writes a log object", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "s3:PutObject", logObject, bucket, nil, p.bucketPolicy, merge(from(e.Account, otherRegion(e.Region)), tls), "ImplicitlyDenied"),
		row("bedrock writes outside the log prefix", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "s3:PutObject", p.bucketArn+"/elsewhere/x.json.gz", "log bucket: elsewhere/…", nil, p.bucketPolicy, merge(from(e.Account, e.Region), tls), "ImplicitlyDenied"),
		row("bedrock writes a log object over TLS 1.1 (TLS 1.2+ only)", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "s3:PutObject", logObject, bucket, nil, p.bucketPolicy, merge(from(e.Account, e.Region), tls, map[string]any{"s3:TlsVersion": "1.1"}), "ExplicitlyDenied"),
		row("bedrock encrypts a log object for this account", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "kms:GenerateDataKey", p.keyArn, key, nil, p.keyPolicy, merge(from(e.Account, e.Region), s3Context), "Allowed"),
		row("bedrock acting for another account encrypts with the log key", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "kms:GenerateDataKey", p.keyArn, key, nil, p.keyPolicy, merge(from(otherAccount, e.Region), s3Context), "ImplicitlyDenied"),
		row("bedrock assumes the delivery role for this account", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "sts:AssumeRole", p.deliveryRoleArn, role, nil, p.trustPolicy, from(e.Account, e.Region), "Allowed"),
		row("bedrock acting for another account assumes the delivery role", "bedrock.amazonaws.com", "bedrock.amazonaws.com", "sts:AssumeRole", p.deliveryRoleArn, role, nil, p.trustPolicy, from(otherAccount, e.Region), "ImplicitlyDenied"),
		row("delivery role writes the invocation log stream", "delivery role", p.deliverySession, "logs:PutLogEvents", p.logStreamArn, "log stream "+invocationlogging.DeliveryStream, p.deliveryIdentity, nil, nil, "Allowed"),
		row("delivery role writes another log group", "delivery role", p.deliverySession, "logs:PutLogEvents", fmt.Sprintf("arn:%s:logs:%s:%s:log-group:/other:log-stream:x", e.Partition(), e.Region, e.Account), "log group /other", p.deliveryIdentity, nil, nil, "ImplicitlyDenied"),
		row("reading a log needs s3:GetObject AND kms:Decrypt: S3 half with s3:GetObject", "Analyst", session(e.Account, "Analyst"), "s3:GetObject", logObject, bucket, []any{analystS3}, p.bucketPolicy, tls, "Allowed"),
		row("reading a log needs s3:GetObject AND kms:Decrypt: KMS half without kms:Decrypt", "Analyst", session(e.Account, "Analyst"), "kms:Decrypt", p.keyArn, key, []any{analystS3}, p.keyPolicy, s3Context, "ImplicitlyDenied"),
		row("reading a log needs s3:GetObject AND kms:Decrypt: KMS half with kms:Decrypt (key policy delegates to IAM)", "Analyst", session(e.Account, "Analyst"), "kms:Decrypt", p.keyArn, key, []any{analystS3, policy(stmt("kms:Decrypt", p.keyArn))}, p.keyPolicy, s3Context, "Allowed"),
		row("plain-HTTP read by a role allowed s3:GetObject (TLS-only statement)", "Analyst", session(e.Account, "Analyst"), "s3:GetObject", logObject, bucket, []any{analystS3}, p.bucketPolicy, map[string]any{"aws:SecureTransport": "false"}, "ExplicitlyDenied"),
	)
}

// guardrailCases are the rows that show where the guardrail is enforced: on the test function's role and
// at the endpoint for guardrail-aware principals (request-level), and by the account for the others.
func guardrailCases(e config.Environment, p stackPolicies, invoke func(name, who, principal string, identity []any, action, resource, vpce, want string) accessCase, throughEndpoint string) []accessCase {
	model := e.ModelArns()[0]
	g := e.Guardrail
	// named sets what the request names as its guardrail; "" names none (an empty, not a nil, context, so
	// the test function's default guardrail is not added).
	named := func(c accessCase, guardrail string) accessCase {
		c.context = map[string]any{}
		if guardrail != "" {
			c.context["bedrock:GuardrailIdentifier"] = guardrail
		}
		return c
	}
	other := strings.TrimSuffix(p.guardrailVersioned, ":1") + "other:1"
	invokerWithout, invokerOther := "Allowed", "Allowed"
	if g.EnforceInIAM {
		invokerWithout, invokerOther = "ExplicitlyDenied", "ExplicitlyDenied"
	}
	cases := []accessCase{
		named(invoke("test function without a guardrail in the request", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", model, p.endpointID, invokerWithout), ""),
		named(invoke("test function naming another guardrail", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:InvokeModel", model, p.endpointID, invokerOther), other),
		named(invoke("test function applies the guardrail", "invoker role", p.invokerSession, p.invokerIdentity, "bedrock:ApplyGuardrail", p.guardrailArn, p.endpointID, throughEndpoint), ""),
	}
	bedrockAll := []any{policy(stmt("bedrock:*", "*"))}
	if aware := e.GuardedPrincipals(); len(aware) > 0 {
		arn := aware[0]
		cases = append(cases,
			named(invoke("guardrail-aware client with bedrock:* of its own, with the guardrail", "aware client", sessionOf(arn), bedrockAll, "bedrock:InvokeModel", model, p.endpointID, throughEndpoint), p.guardrailVersioned),
			named(invoke("guardrail-aware client with bedrock:* of its own, without the guardrail", "aware client", sessionOf(arn), bedrockAll, "bedrock:InvokeModel", model, p.endpointID, "ImplicitlyDenied"), ""),
		)
	}
	if unguarded := e.UnconditionedPrincipals(); len(unguarded) > 0 && g.EnforceInAccount {
		cases = append(cases, invoke("client that cannot name a guardrail, without it: the account-level enforcement applies the guardrail", "client principal",
			sessionOf(unguarded[0]), bedrockAll, "bedrock:InvokeModel", model, p.endpointID, throughEndpoint))
	}
	return cases
}

// alertCases are the rows of the alert topic: who may publish to it and use its key.
func alertCases(e config.Environment, p stackPolicies) []accessCase {
	alarm := func(account string) map[string]any {
		return map[string]any{"aws:SourceAccount": account, "aws:SourceArn": fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:x", e.Partition(), e.Region, account), "aws:SecureTransport": "true"}
	}
	rule := func(account string) map[string]any {
		return map[string]any{"aws:SourceAccount": account, "aws:SourceArn": fmt.Sprintf("arn:%s:events:%s:%s:rule/x", e.Partition(), e.Region, account), "aws:SecureTransport": "true"}
	}
	row := func(name, service, action, resource, what string, resPolicy any, context map[string]any, want string) accessCase {
		return accessCase{env: e.Name, name: name, who: service, principal: service, action: action, resource: resource, what: what,
			account: e.Account, context: context, resPolicy: resPolicy, want: want}
	}
	topic, key := "alert topic", "alert topic key"
	return []accessCase{
		row("an alarm of this account publishes an alert", "cloudwatch.amazonaws.com", "sns:Publish", p.topicArn, topic, p.topicPolicy, alarm(e.Account), "Allowed"),
		row("an alarm of another account publishes to the topic", "cloudwatch.amazonaws.com", "sns:Publish", p.topicArn, topic, p.topicPolicy, alarm(otherAccount), "ImplicitlyDenied"),
		row("an EventBridge rule of this account publishes an alert", "events.amazonaws.com", "sns:Publish", p.topicArn, topic, p.topicPolicy, rule(e.Account), "Allowed"),
		row("an EventBridge rule of another account publishes to the topic", "events.amazonaws.com", "sns:Publish", p.topicArn, topic, p.topicPolicy, rule(otherAccount), "ImplicitlyDenied"),
		row("an alarm publishes over plain HTTP", "cloudwatch.amazonaws.com", "sns:Publish", p.topicArn, topic, p.topicPolicy, merge(alarm(e.Account), map[string]any{"aws:SecureTransport": "false"}), "ExplicitlyDenied"),
		row("another service uses the topic's key", "s3.amazonaws.com", "kms:Decrypt", p.topicKeyArn, key, p.topicKeyPolicy, map[string]any{"aws:SourceAccount": e.Account}, "ImplicitlyDenied"),
		row("an alarm of another account uses the topic's key", "cloudwatch.amazonaws.com", "kms:GenerateDataKey", p.topicKeyArn, key, p.topicKeyPolicy, alarm(otherAccount), "ImplicitlyDenied"),
	}
}

// resolver resolves the intrinsics of values of the environment's template, as deployed.
func resolver(t *testing.T, s *synthesized) func(v any) any {
	t.Helper()
	r, err := cfnresolve.New(s.raw, cfnresolve.Deployment{Partition: s.env.Partition(), Region: s.env.Region, Account: s.env.Account})
	if err != nil {
		t.Fatal(err)
	}
	return func(v any) any {
		out, err := r.Resolve(v)
		if err != nil {
			t.Fatalf("%s: %v", s.env.Name, err)
		}
		return out
	}
}

// policiesOf takes the policies the rows need from the synthesized template.
func policiesOf(t *testing.T, s *synthesized) stackPolicies {
	t.Helper()
	must := resolver(t, s)
	str := func(v any) string { return must(v).(string) }
	roleID := logicalID(s, s.stack.Invoker.Role.Node().DefaultChild())
	endpointID := logicalID(s, s.stack.Endpoint.Resource.Node().DefaultChild())
	p := stackPolicies{
		invokerSession:  sessionOf(str(getAtt(roleID, "Arn"))),
		invokerIdentity: must(rolePolicies(s.template, roleID)).([]any),
		endpointID:      str(ref(endpointID)),
		endpointPolicy:  must(s.template.Resources[endpointID].Properties["PolicyDocument"]),
	}
	if g := s.stack.Guardrail; g != nil {
		p.guardrailArn, p.guardrailVersioned = str(resolved(s, g.Arn)), str(resolved(s, g.VersionedArn))
	}
	topicID := logicalID(s, s.stack.Alerts.Resource.Node().DefaultChild())
	p.topicArn = str(ref(topicID))
	for _, id := range s.template.ofType("AWS::SNS::TopicPolicy") {
		if props := s.template.Resources[id].Properties; jsonOf(props["Topics"]) == jsonOf([]any{ref(topicID)}) {
			p.topicPolicy = must(props["PolicyDocument"])
		}
	}
	topicKeyID := logicalID(s, s.stack.Alerts.Key.Node().DefaultChild())
	p.topicKeyArn, p.topicKeyPolicy = str(getAtt(topicKeyID, "Arn")), must(s.template.Resources[topicKeyID].Properties["KeyPolicy"])
	l := s.stack.Logging
	if l == nil {
		return p
	}
	bucketID := logicalID(s, l.Bucket.Node().DefaultChild())
	keyID := logicalID(s, l.Key.Node().DefaultChild())
	deliveryID := logicalID(s, l.DeliveryRole.Node().DefaultChild())
	vaultID := logicalID(s, l.Vault.Node().DefaultChild())
	bucketPolicy := func(bucketID string) any {
		for _, id := range s.template.ofType("AWS::S3::BucketPolicy") {
			if props := s.template.Resources[id].Properties; jsonOf(props["Bucket"]) == jsonOf(ref(bucketID)) {
				return must(props["PolicyDocument"])
			}
		}
		t.Fatalf("%s: no bucket policy on %s", s.env.Name, bucketID)
		return nil
	}
	p.bucketPolicy, p.vaultPolicy = bucketPolicy(bucketID), bucketPolicy(vaultID)
	p.bucketArn, p.keyArn, p.vaultArn = str(getAtt(bucketID, "Arn")), str(getAtt(keyID, "Arn")), str(getAtt(vaultID, "Arn"))
	replicationID := logicalID(s, l.ReplicationRole.Node().DefaultChild())
	p.replicationSession = sessionOf(str(getAtt(replicationID, "Arn")))
	p.replicationIdentity = must(rolePolicies(s.template, replicationID)).([]any)
	p.keyPolicy = must(s.template.Resources[keyID].Properties["KeyPolicy"])
	p.deliveryRoleArn = str(getAtt(deliveryID, "Arn"))
	p.deliverySession = sessionOf(p.deliveryRoleArn)
	p.trustPolicy = must(s.template.Resources[deliveryID].Properties["AssumeRolePolicyDocument"])
	p.deliveryIdentity = must(rolePolicies(s.template, deliveryID)).([]any)
	logGroup := str(ref(logicalID(s, l.LogGroup.Node().DefaultChild())))
	p.logStreamArn = fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:log-stream:%s", s.env.Partition(), s.env.Region, s.env.Account, logGroup, invocationlogging.DeliveryStream)
	return p
}

// rolePolicies are the identity policies of a role, named after their logical IDs for the
// evaluator's explanations: its inline policies and every AWS::IAM::Policy attached to it.
func rolePolicies(tmpl Template, roleID string) []any {
	var docs []any
	inline, _ := tmpl.Resources[roleID].Properties["Policies"].([]any)
	for _, p := range inline {
		p := p.(map[string]any)
		docs = append(docs, map[string]any{"name": roleID + "/" + p["PolicyName"].(string), "policy": p["PolicyDocument"]})
	}
	for _, id := range tmpl.ofType("AWS::IAM::Policy") {
		props := tmpl.Resources[id].Properties
		if slices.Contains(strs(props["Roles"]), jsonOf(ref(roleID))) {
			docs = append(docs, map[string]any{"name": id, "policy": props["PolicyDocument"]})
		}
	}
	return docs
}

var denySynth struct {
	once sync.Once
	s    *synthesized
}

// denyVariant synthesizes one environment again with endpointPolicyEffect "Deny", once per process
// (a synthesis costs about 2 s).
func denyVariant(name string) *synthesized {
	denySynth.once.Do(func() {
		env := envs[name].env
		env.EndpointPolicyEffect = "Deny"
		denySynth.s = newSynthesized(env, environment.NewStaged(newApp(), environment.Props{Project: project, Environment: env}))
	})
	return denySynth.s
}

// evalCase and evalResult are tools/iameval/evaluate.mjs's input and output (see its header).
type evalCase struct {
	Name    string `json:"name"`
	Request struct {
		Principal string `json:"principal"`
		Action    string `json:"action"`
		Resource  struct {
			Resource  string `json:"resource"`
			AccountID string `json:"accountId"`
		} `json:"resource"`
		Context map[string]any `json:"contextVariables,omitempty"`
	} `json:"request"`
	IdentityPolicies       []any            `json:"identityPolicies,omitempty"`
	ResourcePolicy         any              `json:"resourcePolicy,omitempty"`
	ServiceControlPolicies []any            `json:"serviceControlPolicies,omitempty"`
	VpcEndpointPolicies    []map[string]any `json:"vpcEndpointPolicies,omitempty"`
}

type evalResult struct {
	Name     string   `json:"name"`
	Decision string   `json:"decision"`
	Explain  string   `json:"explain"`
	Warnings []string `json:"warnings"`
}

// evaluate runs every case in one evaluator process (node starts once) and returns results by case.
func evaluate(t *testing.T, cases []accessCase) map[string]evalResult {
	t.Helper()
	in := make([]evalCase, len(cases))
	for i, c := range cases {
		ec := &in[i]
		ec.Name = c.id()
		ec.Request.Principal, ec.Request.Action = c.principal, c.action
		ec.Request.Resource.Resource, ec.Request.Resource.AccountID = c.resource, c.account
		ec.Request.Context = c.context
		if c.vpce != "" {
			ec.Request.Context = merge(c.context, map[string]any{"aws:SourceVpce": c.vpce})
		}
		ec.IdentityPolicies, ec.ResourcePolicy, ec.ServiceControlPolicies = c.identity, c.resPolicy, c.scps
		if c.endpoint != nil {
			// Applies only to requests whose aws:SourceVpce is this endpoint.
			ec.VpcEndpointPolicies = []map[string]any{{"endpointId": c.endpoint.endpointID, "name": cmp.Or(c.endpoint.endpointName, "bedrock-runtime"), "policy": c.endpoint.endpointPolicy}}
		}
	}
	input, err := json.Marshal(map[string]any{"cases": in})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "../tools/iameval/evaluate.mjs")
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("iameval: %v\n%s", err, stderr.String())
	}
	var decoded struct{ Results []evalResult }
	if err := json.Unmarshal(out, &decoded); err != nil {
		t.Fatalf("iameval output: %v", err)
	}
	results := map[string]evalResult{}
	for _, r := range decoded.Results {
		results[r.Name] = r
	}
	if len(results) != len(cases) {
		t.Fatalf("iameval returned %d results for %d cases", len(results), len(cases))
	}
	return results
}

// matrixTable renders the rows as the markdown table the README includes.
func matrixTable(cases []accessCase, results map[string]evalResult) string {
	var b strings.Builder
	b.WriteString("<!-- Generated by `go test ./test/ -run TestAccessMatrix -update`; do not edit. -->\n\n")
	b.WriteString("| environment | case | principal | action | resource | via endpoint | expected | got |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, c := range cases {
		via := "—"
		if c.endpoint != nil {
			switch c.vpce {
			case c.endpoint.endpointID:
				via = "yes"
				if c.endpoint.endpointName != "" {
					via = c.endpoint.endpointName
				}
			case "":
				via = "no"
			default:
				via = "other (" + c.vpce + ")"
			}
		}
		what := c.what
		if what == "" {
			what = shortModel(c.resource)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | `%s` | %s | %s | %s | %s |\n", c.env, c.name, c.who, c.action, what, via, c.want, results[c.id()].Decision)
	}
	return b.String()
}

// shortModel turns a Bedrock ARN into "model|profile <id> (<region>)".
func shortModel(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	kind, id, _ := strings.Cut(parts[5], "/")
	kind = map[string]string{"foundation-model": "model", "inference-profile": "profile", "guardrail": "guardrail"}[kind]
	return fmt.Sprintf("%s `%s` (%s)", kind, id, parts[3])
}

func policy(list ...any) any { return map[string]any{"Version": "2012-10-17", "Statement": list} }

func stmt(action, resource string) any {
	return map[string]any{"Effect": "Allow", "Action": action, "Resource": resource}
}

// session is a session of a role: how AWS sees a request made with the role.
func session(account, role string) string {
	return sessionOf(fmt.Sprintf("arn:aws:iam::%s:role/%s", account, role))
}

// sessionOf turns a role ARN into a session of it; other principals (users) are returned unchanged.
func sessionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && strings.HasPrefix(parts[5], "role/") {
		name := parts[5][strings.LastIndex(parts[5], "/")+1:]
		return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/session", parts[1], parts[4], name)
	}
	return arn
}

func otherRegion(region string) string {
	if region == "us-west-2" {
		return "us-east-1"
	}
	return "us-west-2"
}

func merge(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
