package config

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// fixture is the tests' own configuration, three valid environments (dev, staging, prod). It starts as
// a copy of the shipped environments.json, which users replace with their own accounts.
const fixture = "testdata/environments.json"

// base is the fixture decoded, the base every bad case edits.
func base(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func env(doc map[string]any, i int) map[string]any {
	return doc["environments"].([]any)[i].(map[string]any)
}

func guard(doc map[string]any, i int) map[string]any {
	return env(doc, i)["guardrail"].(map[string]any)
}

func filters(doc map[string]any, i int) []any { return guard(doc, i)["contentFilters"].([]any) }

func alerts(doc map[string]any, i int) map[string]any { return env(doc, i)["alerts"].(map[string]any) }

// profile is the i-th inference profile of environment e in doc.
func profile(doc map[string]any, e, i int) map[string]any {
	return env(doc, e)["inferenceProfiles"].([]any)[i].(map[string]any)
}

// rename moves the value of key from to key to.
func rename(obj map[string]any, from, to string) {
	obj[to] = obj[from]
	delete(obj, from)
}

// Whatever accounts and environments a user puts in the shipped environments.json must load without
// error; only this test and the schema test read it.
func TestShippedConfigurationIsValid(t *testing.T) {
	if _, err := Load("../environments.json"); err != nil {
		t.Error(err)
	}
}

// badCase is a mistake in the configuration: an edit of the fixture, and the one error line naming it.
type badCase struct {
	name string
	edit func(doc map[string]any)
	// want are fragments of one error line: environment, field, bad value, fix.
	want []string
}

// badConfigurations are mistakes anywhere but in access roles. The schema test runs them too.
var badConfigurations = []badCase{
	{"malformed CIDR", func(d map[string]any) { env(d, 0)["vpcCidr"] = "10.10.0.0/33" },
		[]string{`environment "dev"`, "vpcCidr", `"10.10.0.0/33"`, "use a private block"}},
	{"CIDR with host bits", func(d map[string]any) { env(d, 0)["vpcCidr"] = "10.10.1.0/20" },
		[]string{`environment "dev"`, "vpcCidr", "host bits", "use 10.10.0.0/20"}},
	{"endpoints in more zones than the VPC has", func(d map[string]any) { env(d, 0)["interfaceEndpointZones"] = 3 },
		[]string{`environment "dev"`, "interfaceEndpointZones", "3", "give 1 to 2, or 0 for all"}},
	{"public CIDR", func(d map[string]any) { env(d, 0)["vpcCidr"] = "8.8.0.0/16" },
		[]string{`environment "dev"`, "vpcCidr", `"8.8.0.0/16"`, "RFC 1918"}},
	{"overlapping CIDRs", func(d map[string]any) { env(d, 1)["vpcCidr"] = "10.10.8.0/21" },
		[]string{`environment "staging"`, "vpcCidr", `"10.10.8.0/21"`, `overlaps environment "dev"`, "give each environment its own block"}},
	{"CIDR too small for the zones", func(d map[string]any) { env(d, 2)["vpcCidr"] = "10.30.0.0/25" },
		[]string{`environment "prod"`, "vpcCidr", "room for 0", "use a larger block"}},
	{"zone of another region", func(d map[string]any) { env(d, 0)["availabilityZones"] = []any{"us-east-1a", "us-west-2b"} },
		[]string{`environment "dev"`, "availabilityZones[1]", `"us-west-2b"`, "not a zone of region us-east-1", "us-east-1a"}},
	{"one zone only", func(d map[string]any) { env(d, 0)["availabilityZones"] = []any{"us-east-1a"} },
		[]string{`environment "dev"`, "availabilityZones", "fewer than 2", "at least 2"}},
	{"duplicate zone", func(d map[string]any) { env(d, 0)["availabilityZones"] = []any{"us-east-1a", "us-east-1a"} },
		[]string{`environment "dev"`, "availabilityZones[1]", "listed twice"}},
	{"empty model list", func(d map[string]any) { env(d, 0)["models"] = []any{}; env(d, 0)["inferenceProfiles"] = []any{} },
		[]string{`environment "dev"`, "models", "is empty", "allow at least one model ID"}},
	{"malformed model ID", func(d map[string]any) { env(d, 0)["models"] = []any{"Claude 3 Haiku"} },
		[]string{`environment "dev"`, "models[0]", `"Claude 3 Haiku"`, "provider.model[:version]"}},
	{"profile ID in models", func(d map[string]any) { env(d, 0)["models"] = []any{"us.anthropic.claude-3-5-haiku-20241022-v1:0"} },
		[]string{`environment "dev"`, "models[0]", "inference profiles go in inferenceProfiles"}},
	{"malformed profile ID", func(d map[string]any) {
		env(d, 0)["inferenceProfiles"] = []any{map[string]any{"id": "mars.anthropic.claude", "destinationRegions": []any{"us-east-1"}}}
	}, []string{`environment "dev"`, "inferenceProfiles[0].id", `"mars.anthropic.claude"`, "geography prefix"}},
	{"profile regions miss the source", func(d map[string]any) {
		env(d, 0)["inferenceProfiles"] = []any{map[string]any{"id": "us.anthropic.claude-3-5-haiku-20241022-v1:0", "destinationRegions": []any{"us-west-2"}}}
	}, []string{`environment "dev"`, "inferenceProfiles[0].destinationRegions", "does not include the environment's region us-east-1"}},
	{"malformed principal ARN", func(d map[string]any) { env(d, 0)["clientPrincipals"] = []any{"arn:aws:iam::1111:role/Dev"} },
		[]string{`environment "dev"`, "clientPrincipals[0]", `"arn:aws:iam::1111:role/Dev"`, "arn:aws:iam::<12-digit account>:role/<name>"}},
	{"principal of another account", func(d map[string]any) {
		env(d, 0)["clientPrincipals"] = []any{"arn:aws:iam::999999999999:role/Dev"}
	}, []string{`environment "dev"`, "clientPrincipals[0]", "another account than 111111111111"}},
	{"unknown policy effect", func(d map[string]any) { env(d, 0)["endpointPolicyEffect"] = "allow" },
		[]string{`environment "dev"`, "endpointPolicyEffect", `"allow"`, `use "Allow"`}},
	{"unknown interface endpoint", func(d map[string]any) { env(d, 0)["interfaceEndpoints"] = []any{"sqs"} },
		[]string{`environment "dev"`, "interfaceEndpoints[0]", `"sqs"`, "use one of bedrock, ec2, kms, logs, sts"}},
	{"retention CloudWatch rejects", func(d map[string]any) { env(d, 0)["logRetentionDays"] = 366 },
		[]string{`environment "dev"`, "logRetentionDays", "366", "use one of", "365"}},
	{"negative reservation", func(d map[string]any) { env(d, 0)["invokerReservedConcurrency"] = -1 },
		[]string{`environment "dev"`, "invokerReservedConcurrency", "-1", "use 0 to reserve none"}},
	{"unknown content filter", func(d map[string]any) { filters(d, 0)[0].(map[string]any)["type"] = "RUDENESS" },
		[]string{`environment "dev"`, "guardrail.contentFilters[0].type", `"RUDENESS"`, "use one of", "PROMPT_ATTACK"}},
	{"unknown filter strength", func(d map[string]any) { filters(d, 0)[1].(map[string]any)["input"] = "EXTREME" },
		[]string{`environment "dev"`, "guardrail.contentFilters[1].input", `"EXTREME"`, "use NONE, LOW, MEDIUM or HIGH"}},
	{"prompt-attack filter on answers", func(d map[string]any) { filters(d, 0)[5].(map[string]any)["output"] = "HIGH" },
		[]string{`environment "dev"`, "guardrail.contentFilters[5].output", "PROMPT_ATTACK", "use NONE"}},
	{"unknown PII entity", func(d map[string]any) {
		guard(d, 0)["piiEntities"] = []any{map[string]any{"type": "SHOE_SIZE", "action": "BLOCK"}}
	},
		[]string{`environment "dev"`, "guardrail.piiEntities[0].type", `"SHOE_SIZE"`, "use one such as EMAIL"}},
	{"unknown PII action", func(d map[string]any) {
		guard(d, 0)["piiEntities"] = []any{map[string]any{"type": "EMAIL", "action": "HIDE"}}
	},
		[]string{`environment "dev"`, "guardrail.piiEntities[0].action", `"HIDE"`, "neither BLOCK nor ANONYMIZE"}},
	{"regex that does not compile", func(d map[string]any) {
		guard(d, 0)["regexes"] = []any{map[string]any{"name": "ids", "pattern": "[0-9", "action": "BLOCK"}}
	}, []string{`environment "dev"`, "guardrail.regexes[0].pattern", `"[0-9"`, "does not compile"}},
	{"blocked message too long", func(d map[string]any) { guard(d, 0)["blockedInputMessage"] = strings.Repeat("x", 501) },
		[]string{`environment "dev"`, "guardrail.blockedInputMessage", "is 501 characters", "1 to 500 characters"}},
	{"guardrail with no policy", func(d map[string]any) {
		g := guard(d, 0)
		g["contentFilters"], g["piiEntities"], g["regexes"], g["managedProfanity"] = []any{}, []any{}, []any{}, false
	}, []string{`environment "dev"`, "guardrail", "guards nothing", "PROMPT_ATTACK at least"}},
	{"unguarded client principal", func(d map[string]any) { guard(d, 0)["enforceInAccount"] = false },
		[]string{`environment "dev"`, "clientPrincipals[0]", "would call Bedrock unguarded", "guardrail.unguardedPrincipals"}},
	{"aware principal not a client", func(d map[string]any) {
		guard(d, 0)["awarePrincipals"] = []any{"arn:aws:iam::111111111111:role/Other"}
	}, []string{`environment "dev"`, "guardrail.awarePrincipals[0]", "is not in clientPrincipals"}},
	{"two environments enforcing in one account and region", func(d map[string]any) {
		env(d, 1)["account"] = env(d, 0)["account"]
		env(d, 1)["clientPrincipals"] = env(d, 0)["clientPrincipals"]
		env(d, 1)["invocationLogging"].(map[string]any)["enabled"] = false
	}, []string{`environment "staging"`, "guardrail.enforceInAccount", `environment "dev" already enforces`, "set enforceInAccount to false in one of them"}},
	{"malformed alert email", func(d map[string]any) { alerts(d, 0)["emails"] = []any{"Ops <ops@example.com>"} },
		[]string{`environment "dev"`, "alerts.emails[0]", `"Ops <ops@example.com>"`, "name@example.com"}},
	{"alert endpoint over plain HTTP", func(d map[string]any) { alerts(d, 0)["httpsEndpoints"] = []any{"http://hooks.example.com/x"} },
		[]string{`environment "dev"`, "alerts.httpsEndpoints[0]", `"http://hooks.example.com/x"`, "https:// URL"}},
	{"non-positive threshold", func(d map[string]any) { alerts(d, 0)["promptAttacksPerFiveMinutes"] = 0 },
		[]string{`environment "dev"`, "alerts.promptAttacksPerFiveMinutes", "0", "is not positive"}},
	{"unknown removal policy", func(d map[string]any) { env(d, 0)["removalPolicy"] = "snapshot" },
		[]string{`environment "dev"`, "removalPolicy", `"snapshot"`, `"retain"`}},
	{"malformed account", func(d map[string]any) { env(d, 0)["account"] = "12345" },
		[]string{`environment "dev"`, "account", `"12345"`, "12-digit"}},
	{"malformed region", func(d map[string]any) { env(d, 0)["region"] = "virginia" },
		[]string{`environment "dev"`, "region", `"virginia"`, "us-east-1"}},
	{"duplicate environment names", func(d map[string]any) { env(d, 1)["name"] = "dev" },
		[]string{`environment "dev"`, "name", "defined twice", "unique name"}},
	{"bad environment name", func(d map[string]any) { env(d, 0)["name"] = "Dev Env" },
		[]string{`environment "Dev Env"`, "name", "lower-case"}},
	{"logging in two environments of one account and region", func(d map[string]any) { env(d, 1)["account"] = "111111111111" },
		[]string{`environment "staging"`, "invocationLogging.enabled", `environment "dev"`, "one configuration per account and region", "set enabled to false"}},
	{"logging without any delivery", func(d map[string]any) {
		l := env(d, 0)["invocationLogging"].(map[string]any)
		l["textDelivery"], l["imageDelivery"], l["embeddingDelivery"] = false, false, false
	}, []string{`environment "dev"`, "invocationLogging", "logs nothing"}},
	{"expiry before the lock ends", func(d map[string]any) {
		env(d, 1)["invocationLogging"].(map[string]any)["expireAfterDays"] = 10
	}, []string{`environment "staging"`, "invocationLogging.expireAfterDays", "10", "still locked for 30 days"}},
	{"bad key prefix", func(d map[string]any) { env(d, 0)["invocationLogging"].(map[string]any)["s3KeyPrefix"] = "/logs/" },
		[]string{`environment "dev"`, "invocationLogging.s3KeyPrefix", `"/logs/"`, "without leading or trailing /"}},
	{"key in another case", func(d map[string]any) { rename(env(d, 0), "vpcCidr", "VpcCidr") },
		[]string{`environment "dev"`, "VpcCidr", `unknown field: write it "vpcCidr"`}},
	{"key in another case beside the right one", func(d map[string]any) { env(d, 0)["vpcCIDR"] = "10.99.0.0/20" },
		[]string{`environment "dev"`, "vpcCIDR", `unknown field: write it "vpcCidr"`}},
	{"key in another case in a list element", func(d map[string]any) { rename(filters(d, 0)[2].(map[string]any), "type", "Type") },
		[]string{`environment "dev"`, "guardrail.contentFilters[2].Type", `write it "type"`}},
	{"key in another case deep in an access role", func(d map[string]any) { rename(network(d, 0, 0), "sourceIps", "sourceIPs") },
		[]string{`environment "dev"`, "accessRoles[0].network.sourceIPs", `write it "sourceIps"`}},
	{"top-level key in another case", func(d map[string]any) { rename(d, "project", "Project") },
		[]string{"environment configuration: Project", `write it "project"`}},
	{"unknown key", func(d map[string]any) { env(d, 0)["logRetention"] = 365 },
		[]string{`environment "dev"`, "logRetention", "unknown field: correct its spelling or remove it"}},
	{"unknown key in an inference profile", func(d map[string]any) { profile(d, 0, 0)["regions"] = []any{"us-east-1"} },
		[]string{`environment "dev"`, "inferenceProfiles[0].regions", "unknown field: correct its spelling or remove it"}},
	{"schema reference inside an environment", func(d map[string]any) { env(d, 0)["$schema"] = "./environments.schema.json" },
		[]string{`environment "dev"`, "$schema", "unknown field"}},
	{"string for a number", func(d map[string]any) { env(d, 0)["invokerReservedConcurrency"] = "two" },
		[]string{`environment "dev"`, "invokerReservedConcurrency", "a JSON string is not valid here", "a whole number"}},
	{"string for a boolean", func(d map[string]any) { env(d, 2)["terminationProtection"] = "yes" },
		[]string{`environment "prod"`, "terminationProtection", "true or false"}},
	{"missing region", func(d map[string]any) { delete(env(d, 0), "region") },
		[]string{`environment "dev"`, "region", `""`, "is not an AWS region"}},
	{"missing filter strength", func(d map[string]any) { delete(filters(d, 0)[0].(map[string]any), "output") },
		[]string{`environment "dev"`, "guardrail.contentFilters[0].output", `""`, "is not a filter strength"}},
	{"negative endpoint zones", func(d map[string]any) { env(d, 0)["interfaceEndpointZones"] = -1 },
		[]string{`environment "dev"`, "interfaceEndpointZones", "-1", "or 0 for all"}},
	{"no environments", func(d map[string]any) { d["environments"] = []any{} },
		[]string{"environments", "the list is empty"}},
	{"duplicate inference profile", func(d map[string]any) {
		env(d, 0)["inferenceProfiles"] = append(env(d, 0)["inferenceProfiles"].([]any), profile(d, 0, 0))
	}, []string{`environment "dev"`, "inferenceProfiles[1].id", `"us.anthropic.claude-3-5-haiku-20241022-v1:0"`, "is listed twice: list each profile once"}},
	{"one profile with two region lists", func(d map[string]any) {
		again := map[string]any{"id": profile(d, 0, 0)["id"], "destinationRegions": []any{"us-east-1"}}
		env(d, 0)["inferenceProfiles"] = append(env(d, 0)["inferenceProfiles"].([]any), again)
	}, []string{`environment "dev"`, "inferenceProfiles[1].id", "is listed twice"}},
	{"profile of another geography", func(d map[string]any) { profile(d, 0, 0)["id"] = "eu.anthropic.claude-3-5-haiku-20241022-v1:0" },
		[]string{`environment "dev"`, "inferenceProfiles[0].id", `"eu.anthropic.claude-3-5-haiku-20241022-v1:0"`, "prefix eu (eu-*)", "region us-east-1 cannot call", "prefixes that serve us-east-1: us, global"}},
	{"profile routing outside its geography", func(d map[string]any) { profile(d, 0, 0)["destinationRegions"] = []any{"us-east-1", "eu-west-1"} },
		[]string{`environment "dev"`, "inferenceProfiles[0].destinationRegions[1]", `"eu-west-1"`, "outside the profile's geography us (us-*)"}},
}

func TestBadConfigurationNamesEnvironmentFieldValueAndFix(t *testing.T) {
	runBadCases(t, badConfigurations)
}

// runBadCases applies each case's edit to the fixture and expects one error line with all its fragments.
func runBadCases(t *testing.T, cases []badCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := base(t)
			c.edit(doc)
			raw, _ := json.Marshal(doc)
			_, err := Parse(raw)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if containsAll(line, c.want) {
					return
				}
			}
			t.Errorf("no error line contains all of %q:\n%v", c.want, err)
		})
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestSeveralMistakesAreReportedTogether(t *testing.T) {
	doc := base(t)
	env(doc, 0)["vpcCidr"] = "nonsense"
	env(doc, 2)["logRetentionDays"] = 2
	raw, _ := json.Marshal(doc)
	_, err := Parse(raw)
	if err == nil || !strings.Contains(err.Error(), `"dev": vpcCidr`) || !strings.Contains(err.Error(), `"prod": logRetentionDays`) {
		t.Errorf("want both mistakes in one error, got %v", err)
	}
}

func TestWrongTypeNamesEnvironmentFieldAndFix(t *testing.T) {
	doc := base(t)
	env(doc, 0)["invokerReservedConcurrency"] = "two"
	env(doc, 2)["invocationLogging"].(map[string]any)["objectLockOnDeliveryBucket"] = "yes"
	raw, _ := json.Marshal(doc)
	_, err := Parse(raw)
	for _, want := range []string{
		`environment "dev": invokerReservedConcurrency: a JSON string is not valid here: write a whole number without quotes`,
		`environment "prod": invocationLogging.objectLockOnDeliveryBucket: a JSON string is not valid here: write true or false without quotes`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant it to contain %q", err, want)
		}
	}
}

func TestSelect(t *testing.T) {
	f, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.Select([]string{"prod"}); err != nil || len(got) != 1 || got[0].Name != "prod" {
		t.Errorf("Select(prod) = %v, %v", got, err)
	}
	if got, err := f.Select(nil); err != nil || len(got) != 3 {
		t.Errorf("Select() = %d environments, %v; want all 3", len(got), err)
	}
	_, err = f.Select([]string{"qa"})
	if err == nil || !strings.Contains(err.Error(), `unknown environment "qa": choose one of dev, staging, prod`) {
		t.Errorf("Select(qa) error = %v", err)
	}
}

func TestModelArnsCoverProfilesAndTheirDestinations(t *testing.T) {
	e := Environment{Region: "us-east-1", Account: "111111111111",
		Models: []string{"anthropic.claude-3-haiku-20240307-v1:0"},
		InferenceProfiles: []InferenceProfile{
			{ID: "us.anthropic.claude-3-5-haiku-20241022-v1:0", DestinationRegions: []string{"us-east-1", "us-west-2"}},
			{ID: "global.anthropic.claude-sonnet-4-20250514-v1:0", DestinationRegions: []string{"us-east-1"}},
		}}
	want := []string{
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
		"arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
		"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
		"arn:aws:bedrock:us-east-1:111111111111:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
		"arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
	}
	if got := e.ModelArns(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ModelArns() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
