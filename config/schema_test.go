package config

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/internal/awsrules"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaFile is the JSON Schema editors check environments.json against.
const schemaFile = "../environments.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schema, err := jsonschema.NewCompiler().Compile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

// validate checks a configuration against the schema, as an editor would.
func validate(t *testing.T, schema *jsonschema.Schema, raw []byte) error {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(doc)
}

func TestSchemaAndParseAcceptTheShippedFileAndFixtures(t *testing.T) {
	schema := compileSchema(t)
	for _, path := range []string{"../environments.json", fixture, "../test/testdata/environments.json"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(raw); err != nil {
			t.Errorf("Parse rejects %s: %v", path, err)
		}
		if err := validate(t, schema, raw); err != nil {
			t.Errorf("the schema rejects %s: %v", path, err)
		}
	}
}

// goOnly are the bad cases no JSON Schema can reject, by name, each with why: rules across fields or
// environments, and checks only code makes. The schema must accept them, so that one it learns to
// reject leaves this list. Duplicate keys are Go-only too, but cannot be written through the cases'
// maps (TestDuplicateKeysAreRejected): a validator sees the document after parsing, one of them gone.
var goOnly = map[string]string{
	"CIDR with host bits":                                   "arithmetic on the address",
	"endpoints in more zones than the VPC has":              "interfaceEndpointZones against the length of availabilityZones",
	"overlapping CIDRs":                                     "across environments",
	"CIDR too small for the zones":                          "vpcCidr against the number of zones",
	"zone of another region":                                "availabilityZones against region",
	"empty model list":                                      "models and inferenceProfiles together",
	"profile regions miss the source":                       "destinationRegions against region",
	"principal of another account":                          "clientPrincipals against account",
	"regex that does not compile":                           "compiling the pattern",
	"guardrail with no policy":                              "all of the guardrail's lists together",
	"unguarded client principal":                            "clientPrincipals against the guardrail's lists",
	"aware principal not a client":                          "awarePrincipals against clientPrincipals",
	"two environments enforcing in one account and region":  "across environments",
	"duplicate environment names":                           "across environments",
	"logging in two environments of one account and region": "across environments",
	"logging without any delivery":                          "the three delivery flags together",
	"expiry before the lock ends":                           "expireAfterDays against objectLockDays",
	"one profile with two region lists":                     "uniqueness of one field of list elements",
	"profile of another geography":                          "the profile's prefix against region",
	"profile routing outside its geography":                 "destinationRegions against the profile's prefix",
	"nobody trusted":                                        "trustedPrincipals and trustedServices together",
	"MFA on a role only services assume":                    "requireMfa against trustedPrincipals",
	"source identity on a role only services assume":        "requireSourceIdentity against trustedPrincipals",
	"MFA on a role trusted by a role":                       "requireMfa against the kind of principal",
	"long sessions no caller gets":                          "maxSessionHours against the kind of principal",
	"the whole internet":                                    "arithmetic on the address",
	"a broad public block":                                  "arithmetic on the address",
	"a private block never matches aws:SourceIp":            "arithmetic on the address",
	"no network":                                            "endpoint, sourceIps and anywhere together",
	"anywhere with named networks":                          "endpoint, sourceIps and anywhere together",
	"two roles with one name":                               "uniqueness of one field of list elements, ignoring case",
	"a role that is also a client principal":                "accessRoles against clientPrincipals",
	"guardrail-aware without a guardrail":                   "guardrailAware against guardrail.enabled",
	"unguarded without account enforcement":                 "accessRoles against the guardrail's lists",
	"management account as a target":                        "targets against account",
	"endpoint IDs of an unknown environment":                "endpointIds' names against the environments",
	"one endpoint for two environments":                     "uniqueness across the lists of endpointIds",
	"an environment named like the organisation stack":      "environment names against the organization section",
	"organisation's guardrail with no policy":               "all of the guardrail's lists together",
	"model both included and excluded":                      "excludedModels against includedModels",
	"connection of another account":                         "the connection's account against the pipeline's",
	"branch with ..":                                        "git's rules beyond the characters",
	"two waves of one name":                                 "uniqueness of a property across list items",
	"unknown environment in a wave":                         "wave environments against the environments",
	"environment in two waves":                              "environments across waves",
	"environment in no wave":                                "every environment against the waves",
	"an environment named like the pipeline stack":          "environment names against the pipeline section",
}

// Every bad case Parse rejects, the schema rejects too, unless it is listed in goOnly.
func TestSchemaRejectsWhatParseRejects(t *testing.T) {
	schema := compileSchema(t)
	cases := slices.Concat(badConfigurations, badAccessRoles, badOrganizations, badPipelines)
	for name := range goOnly {
		if !slices.ContainsFunc(cases, func(c badCase) bool { return c.name == name }) {
			t.Errorf("goOnly lists %q, which is no bad case", name)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := base(t)
			c.edit(doc)
			raw, _ := json.Marshal(doc)
			if _, err := Parse(raw); err == nil {
				t.Fatal("Parse accepts it")
			}
			err := validate(t, schema, raw)
			if _, only := goOnly[c.name]; only && err != nil {
				t.Errorf("the schema rejects it too, so remove it from goOnly: %v", err)
			} else if !only && err == nil {
				t.Error("the schema accepts it: make the schema reject it, or list it in goOnly with the reason")
			}
		})
	}
}

// Every json tag of the Go types is a property of the schema at the same place, and every property a
// json tag, so that neither gains a field the other lacks; and every object refuses other properties.
func TestSchemaDescribesEveryField(t *testing.T) {
	root := readSchema(t)
	defs := root["$defs"].(map[string]any)
	var walk func(path string, node map[string]any, typ reflect.Type)
	walk = func(path string, node map[string]any, typ reflect.Type) {
		if ref, ok := node["$ref"].(string); ok {
			node = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		switch typ.Kind() {
		case reflect.Pointer:
			walk(path, node, typ.Elem())
		case reflect.Slice:
			walk(path+"[]", node["items"].(map[string]any), typ.Elem())
		case reflect.Map:
			walk(path+"{}", node["additionalProperties"].(map[string]any), typ.Elem())
		case reflect.Struct:
			if node["additionalProperties"] != false {
				t.Errorf("%s: the schema allows additional properties", path)
			}
			fields := jsonFields(typ)
			if path == "" {
				// Parse's document accepts the editors' reference beside File's fields.
				fields["$schema"] = jsonFields(reflect.TypeFor[document]())["$schema"]
			}
			properties := node["properties"].(map[string]any)
			for name, field := range fields {
				property, ok := properties[name].(map[string]any)
				if !ok {
					t.Errorf("%s: the schema lacks %q", path, name)
					continue
				}
				walk(strings.TrimPrefix(path+"."+name, "."), property, field)
			}
			for name := range properties {
				if _, ok := fields[name]; !ok {
					t.Errorf("%s: the schema has %q, which the Go types lack", path, name)
				}
			}
		}
	}
	walk("", root, reflect.TypeFor[File]())
}

// The schema's enums, patterns and limits are Go's own, so they cannot drift apart.
func TestSchemaValuesAreGos(t *testing.T) {
	root := readSchema(t)
	const env, org = "$defs/environment/properties/", "$defs/organization/properties/"
	cases := []struct {
		pointer string
		want    any
	}{
		{"properties/project/pattern", namePattern},
		{env + "name/pattern", namePattern},
		{env + "account/pattern", accountPattern},
		{"$defs/region/pattern", regionPattern},
		{env + "models/items/pattern", modelPattern},
		{"$defs/profileId/pattern", profilePattern},
		{"$defs/principalArn/pattern", principalPattern},
		{"$defs/accessRole/properties/name/pattern", roleNamePattern},
		{env + "removalPolicy/enum", []string{Retain, Destroy}},
		{env + "interfaceEndpoints/items/enum", OptionalInterfaceEndpoints},
		{env + "logRetentionDays/enum", awsrules.LogRetentionDays()},
		{"$defs/accessRole/properties/trustedServices/items/enum", AccessRoleServices},
		{"$defs/accessRole/properties/maxSessionHours/maximum", maxSessionHours},
		{"$defs/contentFilter/properties/type/enum", awsrules.GuardrailContentFilterTypes()},
		{"$defs/strength/enum", awsrules.GuardrailStrengths()},
		{"$defs/piiEntity/properties/type/enum", awsrules.GuardrailPIIEntityTypes()},
		{"$defs/piiAction/enum", awsrules.GuardrailPIIActions()},
		{"$defs/guardrail/then/properties/blockedInputMessage/maxLength", awsrules.MaxGuardrailMessageLength},
		{"$defs/guardrail/then/properties/blockedOutputMessage/maxLength", awsrules.MaxGuardrailMessageLength},
		{"$defs/guardrailRegex/properties/name/maxLength", awsrules.MaxGuardrailRegexNameLength},
		{"$defs/guardrailRegex/properties/pattern/maxLength", awsrules.MaxGuardrailRegexPatternLength},
		{"$defs/deniedTopic/properties/definition/maxLength", awsrules.MaxGuardrailTopicDefinitionLength},
		{org + "account/pattern", accountPattern},
		{org + "targets/items/pattern", targetPattern},
		{org + "breakGlassRoleArns/items/pattern", roleArnPattern},
		{org + "deploymentRoleArns/items/pattern", rolePatternArn},
		{org + "endpointIds/additionalProperties/items/pattern", endpointIDPattern},
		{org + "apiKeys/enum", APIKeyPolicies},
		{org + "guardrailPolicy/properties/organizationId/pattern", organizationIDPattern},
		{org + "guardrailPolicy/properties/includedModels/items/pattern", modelPattern},
		{org + "guardrailPolicy/properties/excludedModels/items/pattern", modelPattern},
		{org + "guardrailPolicy/properties/guardrail/properties/blockedInputMessage/maxLength", awsrules.MaxGuardrailMessageLength},
		{org + "guardrailPolicy/properties/guardrail/properties/blockedOutputMessage/maxLength", awsrules.MaxGuardrailMessageLength},
	}
	for _, c := range cases {
		var got any = root
		for _, key := range strings.Split(c.pointer, "/") {
			got = got.(map[string]any)[key]
		}
		if re, ok := c.want.(*regexp.Regexp); ok {
			c.want = re.String()
		}
		if g, w := mustJSON(t, got), mustJSON(t, c.want); g != w {
			t.Errorf("%s is %s in the schema, %s in Go", c.pointer, g, w)
		}
	}
	// The profile ID's description states the geography table.
	var rules []string
	for _, g := range geographies {
		rules = append(rules, g.prefix+" for "+g.String())
	}
	rule := strings.Join(rules, ", ")
	for _, description := range []string{
		root["$defs"].(map[string]any)["profileId"].(map[string]any)["description"].(string),
		root["$defs"].(map[string]any)["inferenceProfile"].(map[string]any)["properties"].(map[string]any)["id"].(map[string]any)["description"].(string),
	} {
		if !strings.Contains(description, rule) {
			t.Errorf("description %q does not state the geography table: %s", description, rule)
		}
	}
}

func readSchema(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	return schema
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
