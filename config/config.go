// Package config loads and validates the per-environment configuration that app/ hands to stacks/.
//
// Every mistake in the file is reported at once, before any construct is built, each line naming the
// environment, the field, the bad value and the fix.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// File is the whole configuration file. environments.schema.json describes it for editors: a field
// added to these types goes there too (TestSchemaDescribesEveryField fails until it does).
type File struct {
	// Project tags every resource and prefixes every stack name.
	Project      string        `json:"project"`
	Environments []Environment `json:"environments"`
	// Organization is the optional organisation policies stack; nil without the section.
	Organization *Organization `json:"organization"`
	// Pipeline is the optional delivery pipeline; nil without the section.
	Pipeline *Pipeline `json:"pipeline"`
}

// Environment is one deployable copy of the architecture: one stack in one account and region.
type Environment struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// AvailabilityZones are given explicitly so synthesis needs no credentials or context lookups.
	AvailabilityZones []string `json:"availabilityZones"`
	VpcCidr           string   `json:"vpcCidr"`
	// Models are foundation-model IDs callers may invoke on demand, e.g. anthropic.claude-3-haiku-20240307-v1:0.
	Models []string `json:"models"`
	// InferenceProfiles are cross-region inference profiles callers may invoke.
	InferenceProfiles []InferenceProfile `json:"inferenceProfiles"`
	// ClientPrincipals are IAM role or user ARNs, besides the test function's role and the access roles,
	// that the endpoint admits: roles the stack does not create.
	ClientPrincipals []string `json:"clientPrincipals"`
	// AccessRoles are the assumable roles the stack creates for people and tools.
	AccessRoles []AccessRole `json:"accessRoles"`
	// EndpointPolicyEffect is Allow, or Deny to reproduce the source blog's deny test.
	EndpointPolicyEffect string `json:"endpointPolicyEffect"`
	// InterfaceEndpoints are optional extra interface endpoints: bedrock, sts, kms, ec2.
	InterfaceEndpoints []string `json:"interfaceEndpoints"`
	// InterfaceEndpointZones places the interface endpoints in the first N availability zones only:
	// cheaper, and lost with that zone. 0 places them in every zone.
	InterfaceEndpointZones int `json:"interfaceEndpointZones"`
	// LogRetentionDays applies to every log group of the environment.
	LogRetentionDays int `json:"logRetentionDays"`
	// RemovalPolicy of stateful resources: retain or destroy.
	RemovalPolicy         string `json:"removalPolicy"`
	TerminationProtection bool   `json:"terminationProtection"`
	// InvokerReservedConcurrency caps the test function; 0 reserves none. Lambda keeps 100 executions
	// unreserved, so an account still at the new-account quota of 10 can reserve nothing.
	InvokerReservedConcurrency int               `json:"invokerReservedConcurrency"`
	InvocationLogging          InvocationLogging `json:"invocationLogging"`
	Guardrail                  Guardrail         `json:"guardrail"`
	Alerts                     Alerts            `json:"alerts"`
	PromptStore                PromptStore       `json:"promptStore"`
}

// Load reads the file at path and validates every environment in it.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read environment configuration: %w", err)
	}
	return Parse(data)
}

// document is the file as Parse first decodes it: each environment is then decoded on its own.
type document struct {
	// Schema names the JSON Schema editors check the file against (environments.schema.json); the
	// loader ignores it.
	Schema       string            `json:"$schema"`
	Project      string            `json:"project"`
	Environments []json.RawMessage `json:"environments"`
	Organization json.RawMessage   `json:"organization"`
	Pipeline     json.RawMessage   `json:"pipeline"`
}

// Parse decodes and validates a configuration. Keys must match exactly, so a typo never silently falls
// back to a default. Each environment is decoded on its own, so a key or value mistake is reported with
// the environment it is in, next to every other environment's mistakes.
func Parse(data []byte) (*File, error) {
	var doc document
	if problems := strictDecode(data, &doc); len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, problem := range problems {
			errs[i] = fmt.Errorf("environment configuration: %s", problem)
		}
		return nil, errors.Join(errs...)
	}
	f := &File{Project: doc.Project}
	var errs []error
	for i, raw := range doc.Environments {
		var e Environment
		if problems := strictDecode(raw, &e); len(problems) > 0 {
			var named struct{ Name string }
			name := fmt.Sprintf("#%d", i+1)
			if json.Unmarshal(raw, &named) == nil && named.Name != "" {
				name = named.Name
			}
			for _, problem := range problems {
				errs = append(errs, fmt.Errorf("environment %q: %s", name, problem))
			}
			continue
		}
		f.Environments = append(f.Environments, e)
	}
	f.Organization = decodeSection[Organization](doc.Organization, organizationName, "no organisation policies", &errs)
	f.Pipeline = decodeSection[Pipeline](doc.Pipeline, pipelineName, "no pipeline", &errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// decodeSection decodes an optional top-level section: nil when the key is absent, which means what
// absence does.
func decodeSection[T any](raw json.RawMessage, name, absence string, errs *[]error) *T {
	if raw == nil {
		return nil
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		// The schema refuses null too: one clear line instead of every field reported empty.
		*errs = append(*errs, fmt.Errorf("%s: null is not a section: remove the key for %s, or give the object", name, absence))
		return nil
	}
	section := new(T)
	for _, problem := range strictDecode(raw, section) {
		*errs = append(*errs, fmt.Errorf("%s: %s", name, problem))
	}
	return section
}

// strictDecode decodes data into v and says everything wrong with it: each key that is not exactly a
// field of v or repeats one, which the key walk finds (stricter than the decoder's
// DisallowUnknownFields, which matches keys in any case and stops at the first), and a value of the
// wrong type.
func strictDecode(data []byte, v any) []string {
	problems, err := keyProblems(data, reflect.TypeOf(v).Elem())
	if err != nil {
		return []string{decodeProblem(err)}
	}
	if err := json.Unmarshal(data, v); err != nil {
		problems = append(problems, decodeProblem(err))
	}
	return problems
}

// decodeProblem says what is wrong with a value the decoder refused, and how to write it instead.
func decodeProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		want := map[reflect.Kind]string{
			reflect.Int: "a whole number without quotes, e.g. 2", reflect.Float64: "a number without quotes, e.g. 5", reflect.Bool: "true or false without quotes",
			reflect.String: `a string in double quotes`, reflect.Slice: "a list in [ ]", reflect.Struct: "an object in { }",
		}[typeErr.Type.Kind()]
		field := typeErr.Field
		if field == "" {
			field = "(the document)"
		}
		return fmt.Sprintf("%s: a JSON %s is not valid here: write %s (see the configuration reference in README.md)", field, typeErr.Value, want)
	}
	return fmt.Sprintf("not valid JSON: %v", err)
}

// Select returns the named environments, or all of them when names is empty.
func (f *File) Select(names []string) ([]Environment, error) {
	if len(names) == 0 {
		return f.Environments, nil
	}
	var picked []Environment
	var errs []error
	for _, name := range names {
		i := slices.IndexFunc(f.Environments, func(e Environment) bool { return e.Name == name })
		if i < 0 {
			errs = append(errs, fmt.Errorf("unknown environment %q: choose one of %s", name, strings.Join(f.names(), ", ")))
			continue
		}
		picked = append(picked, f.Environments[i])
	}
	return picked, errors.Join(errs...)
}

func (f *File) names() []string {
	names := make([]string, len(f.Environments))
	for i, e := range f.Environments {
		names[i] = e.Name
	}
	return names
}

var (
	namePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
)

// Validate reports every problem in the file at once.
func (f *File) Validate() error {
	var errs []error
	if !namePattern.MatchString(f.Project) {
		errs = append(errs, fmt.Errorf("project: %q is not a valid project name: use 1-20 lower-case letters, digits or hyphens, starting with a letter", f.Project))
	}
	if len(f.Environments) == 0 {
		errs = append(errs, errors.New("environments: the list is empty: define at least one environment"))
	}
	seen := map[string]bool{}
	for _, e := range f.Environments {
		if seen[e.Name] {
			errs = append(errs, fmt.Errorf("environment %q: name: %q is defined twice: give each environment a unique name", e.Name, e.Name))
		}
		seen[e.Name] = true
		errs = append(errs, e.validate()...)
	}
	errs = append(errs, f.overlappingBlocks()...)
	errs = append(errs, f.loggingConflicts()...)
	errs = append(errs, f.guardrailConflicts()...)
	errs = append(errs, f.accessRoleConflicts()...)
	if f.Organization != nil {
		errs = append(errs, f.Organization.validate(f.Environments)...)
	}
	if f.Pipeline != nil {
		errs = append(errs, f.Pipeline.validate(f.Environments)...)
	}
	return errors.Join(errs...)
}

// validate checks one environment, section by section.
func (e Environment) validate() []error {
	p := &problems{env: e.Name}
	if !namePattern.MatchString(e.Name) {
		p.bad("name", quote(e.Name), "is not a valid name: use 1-20 lower-case letters, digits or hyphens, starting with a letter")
	}
	p.place(e.Account, e.Region, "account number")
	e.validateNetwork(p)
	e.validateModels(p)
	e.validateAccessRoles(p)
	e.validateSettings(p)
	e.validateLogging(p)
	e.validateGuardrail(p)
	e.validateAlerts(p)
	e.validatePromptStore(p)
	return p.errs
}
