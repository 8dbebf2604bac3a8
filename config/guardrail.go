package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/internal/awsrules"
)

// Guardrail configures the Amazon Bedrock Guardrail applied to the environment's model calls, and
// where it is enforced.
type Guardrail struct {
	Enabled bool `json:"enabled"`
	GuardrailFilters
	// EnforceInAccount applies the guardrail to every inference call in the account and region, from
	// any caller and network path; one environment per account and region may do it.
	EnforceInAccount bool `json:"enforceInAccount"`
	// EnforceInIAM lets the roles this stack creates for guardrail-aware callers invoke only with the
	// guardrail.
	EnforceInIAM bool `json:"enforceInIam"`
	// EnforceAtEndpoint lets guardrail-aware principals through the endpoint only with the guardrail.
	EnforceAtEndpoint bool `json:"enforceAtEndpoint"`
	// AwarePrincipals are clientPrincipals whose requests name the guardrail; the request-level
	// conditions apply to them. Others (e.g. Claude Code) rely on account-level enforcement.
	AwarePrincipals []string `json:"awarePrincipals"`
	// UnguardedPrincipals acknowledges clientPrincipals that are neither guardrail-aware nor covered by
	// account-level enforcement.
	UnguardedPrincipals []string `json:"unguardedPrincipals"`
}

// GuardrailFilters are what a guardrail filters and what callers get instead of what it blocks: the
// keys of an environment's guardrail section, and of the organisation's guardrail policy's guardrail.
type GuardrailFilters struct {
	// ContentFilters set a strength per content category for prompts (input) and answers (output).
	ContentFilters []ContentFilter `json:"contentFilters"`
	// PIIEntities are personal data types to block or anonymize.
	PIIEntities []PIIEntity `json:"piiEntities"`
	// Regexes are custom sensitive-information patterns.
	Regexes []GuardrailRegex `json:"regexes"`
	// DeniedTopics are topics the guardrail refuses.
	DeniedTopics []DeniedTopic `json:"deniedTopics"`
	// Words are blocked words or phrases; ManagedProfanity adds AWS's profanity list.
	Words            []string `json:"words"`
	ManagedProfanity bool     `json:"managedProfanity"`
	// BlockedInputMessage and BlockedOutputMessage are what callers get instead of a blocked prompt
	// or answer.
	BlockedInputMessage  string `json:"blockedInputMessage"`
	BlockedOutputMessage string `json:"blockedOutputMessage"`
}

// ContentFilter is one content category's strengths.
type ContentFilter struct {
	Type   string `json:"type"`
	Input  string `json:"input"`
	Output string `json:"output"`
}

// PIIEntity is a personal data type and what to do with it.
type PIIEntity struct {
	Type   string `json:"type"`
	Action string `json:"action"`
}

// GuardrailRegex is a custom sensitive-information pattern.
type GuardrailRegex struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	Action  string `json:"action"`
}

// DeniedTopic is a topic the guardrail refuses, with example prompts.
type DeniedTopic struct {
	Name       string   `json:"name"`
	Definition string   `json:"definition"`
	Examples   []string `json:"examples"`
}

// validateGuardrail checks the guardrail section, when the guardrail is on, and which principals it
// leaves unguarded.
func (e Environment) validateGuardrail(p *problems) {
	g := e.Guardrail
	if !g.Enabled {
		return
	}
	g.validate(p, "guardrail", "set enabled to false")
	for i, arn := range g.AwarePrincipals {
		if !slices.Contains(e.ClientPrincipals, arn) {
			p.bad(fmt.Sprintf("guardrail.awarePrincipals[%d]", i), quote(arn), "is not in clientPrincipals: list it there too")
		}
	}
	for i, arn := range g.UnguardedPrincipals {
		if !slices.Contains(e.Principals(), arn) {
			p.bad(fmt.Sprintf("guardrail.unguardedPrincipals[%d]", i), quote(arn), "is neither in clientPrincipals nor an access role's ARN: list it there too, or remove it here")
		}
	}
	if !g.EnforceInAccount {
		for i, arn := range e.ClientPrincipals {
			if !slices.Contains(g.AwarePrincipals, arn) && !slices.Contains(g.UnguardedPrincipals, arn) {
				p.bad(fmt.Sprintf("clientPrincipals[%d]", i), quote(arn), "would call Bedrock unguarded: enforceInAccount is false and it is not in guardrail.awarePrincipals; set guardrail.enforceInAccount, list it in guardrail.awarePrincipals if its requests name the guardrail, or in guardrail.unguardedPrincipals to accept that deliberately")
			}
		}
		for i, r := range e.AccessRoles {
			if arn := e.AccessRoleArn(r); !r.GuardrailAware && !slices.Contains(g.UnguardedPrincipals, arn) {
				p.bad(fmt.Sprintf("accessRoles[%d]", i), quote(r.Name), "would call Bedrock unguarded: enforceInAccount is false and the role is not guardrailAware; set guardrail.enforceInAccount, set the role's guardrailAware if its callers name the guardrail, or list "+arn+" in guardrail.unguardedPrincipals to accept that deliberately")
			}
		}
	}
}

// validate checks what a guardrail filters and its messages. section is where the filters are, e.g.
// guardrail; off says how to have no guardrail at all, for a guardrail that filters nothing.
func (f GuardrailFilters) validate(p *problems, section string, off string) {
	types := awsrules.GuardrailContentFilterTypes()
	for i, c := range f.ContentFilters {
		field := fmt.Sprintf("%s.contentFilters[%d]", section, i)
		if !slices.Contains(types, c.Type) {
			p.bad(field+".type", quote(c.Type), "is not a content filter type: use one of "+strings.Join(types, ", "))
		}
		for _, s := range [][2]string{{"input", c.Input}, {"output", c.Output}} {
			if !awsrules.ValidGuardrailStrength(s[1]) {
				p.bad(field+"."+s[0], quote(s[1]), "is not a filter strength: use NONE, LOW, MEDIUM or HIGH")
			}
		}
		if c.Type == "PROMPT_ATTACK" && c.Output != "NONE" {
			p.bad(field+".output", quote(c.Output), "is set for PROMPT_ATTACK, which applies to prompts only: use NONE")
		}
	}
	entities := awsrules.GuardrailPIIEntityTypes()
	for i, pii := range f.PIIEntities {
		field := fmt.Sprintf("%s.piiEntities[%d]", section, i)
		if !slices.Contains(entities, pii.Type) {
			p.bad(field+".type", quote(pii.Type), "is not a PII entity type Bedrock Guardrails knows: use one such as EMAIL, PHONE, NAME, US_SOCIAL_SECURITY_NUMBER, AWS_ACCESS_KEY")
		}
		if !awsrules.ValidGuardrailPIIAction(pii.Action) {
			p.bad(field+".action", quote(pii.Action), "is neither BLOCK nor ANONYMIZE: use one of them")
		}
	}
	for i, r := range f.Regexes {
		field := fmt.Sprintf("%s.regexes[%d]", section, i)
		if n := awsrules.GuardrailTextLength(r.Name); n == 0 || n > awsrules.MaxGuardrailRegexNameLength {
			p.bad(field+".name", quote(r.Name), fmt.Sprintf("is %d characters: give a name of 1 to %d", n, awsrules.MaxGuardrailRegexNameLength))
		}
		if err := awsrules.CheckGuardrailRegexPattern(r.Pattern); err != nil {
			p.bad(field+".pattern", quote(r.Pattern), err.Error())
		}
		if !awsrules.ValidGuardrailPIIAction(r.Action) {
			p.bad(field+".action", quote(r.Action), "is neither BLOCK nor ANONYMIZE: use one of them")
		}
	}
	for i, t := range f.DeniedTopics {
		field := fmt.Sprintf("%s.deniedTopics[%d]", section, i)
		if !awsrules.ValidGuardrailTopicName(t.Name) {
			p.bad(field+".name", quote(t.Name), "is not a valid topic name: use 1-100 letters, digits, spaces or _ !?.-")
		}
		if n := awsrules.GuardrailTextLength(t.Definition); n == 0 || n > awsrules.MaxGuardrailTopicDefinitionLength {
			p.bad(field+".definition", quote(t.Definition), fmt.Sprintf("is %d characters: say what the topic covers in 1 to %d", n, awsrules.MaxGuardrailTopicDefinitionLength))
		}
	}
	for _, m := range [][2]string{{section + ".blockedInputMessage", f.BlockedInputMessage}, {section + ".blockedOutputMessage", f.BlockedOutputMessage}} {
		if n := awsrules.GuardrailTextLength(m[1]); n == 0 || n > awsrules.MaxGuardrailMessageLength {
			p.bad(m[0], quote(m[1]), fmt.Sprintf("is %d characters: give a message of 1 to %d characters", n, awsrules.MaxGuardrailMessageLength))
		}
	}
	if len(f.ContentFilters) == 0 && len(f.PIIEntities) == 0 && len(f.Regexes) == 0 && len(f.DeniedTopics) == 0 && len(f.Words) == 0 && !f.ManagedProfanity {
		p.bad(section, "no policy", "guards nothing: configure contentFilters (PROMPT_ATTACK at least), piiEntities, regexes, deniedTopics or words, or "+off)
	}
}

// GuardedPrincipals are the client principals the request-level conditions apply to; access roles
// carry their own (AccessRole.GuardrailAware).
func (e Environment) GuardedPrincipals() []string {
	if !e.Guardrail.Enabled || !e.Guardrail.EnforceAtEndpoint {
		return nil
	}
	return e.Guardrail.AwarePrincipals
}

// UnconditionedPrincipals are the client principals the endpoint admits without the guardrail.
func (e Environment) UnconditionedPrincipals() []string {
	guarded := e.GuardedPrincipals()
	return slices.DeleteFunc(slices.Clone(e.ClientPrincipals), func(arn string) bool { return slices.Contains(guarded, arn) })
}

// guardrailConflicts finds environments that both enforce a guardrail in one account and region, where
// Bedrock keeps a single enforced configuration.
func (f *File) guardrailConflicts() []error {
	var errs []error
	for i, a := range f.Environments {
		for _, b := range f.Environments[i+1:] {
			if a.Guardrail.Enabled && a.Guardrail.EnforceInAccount && b.Guardrail.Enabled && b.Guardrail.EnforceInAccount && a.Account == b.Account && a.Region == b.Region {
				errs = append(errs, fmt.Errorf("environment %q: guardrail.enforceInAccount: true, but environment %q already enforces a guardrail in account %s region %s, and Bedrock keeps one enforced guardrail per account and region: set enforceInAccount to false in one of them", b.Name, a.Name, a.Account, a.Region))
			}
		}
	}
	return errs
}
