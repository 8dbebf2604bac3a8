// Package guardrail creates an Amazon Bedrock guardrail encrypted with a customer-managed key of its
// own, a numbered version of its configuration, and, when asked, the account-level enforcement of that
// version on every inference call in the account and region; or, for an Organizations Amazon Bedrock
// policy to enforce it in member accounts, a guardrail shared with the organisation.
//
// Guardrail versions are immutable snapshots. The version's construct ID carries a hash of the rendered
// configuration, so an edit replaces the version resource: CloudFormation updates the guardrail's working
// draft, snapshots it as a new numbered version, moves every reference (VersionNumber, VersionedArn, the
// enforcement) to it in the same deployment and then deletes the old version.
package guardrail

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbedrock"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/internal/awsrules"
)

// ContentFilter sets how strongly one category of harmful content is filtered.
type ContentFilter struct {
	// Type is the category, one of awsrules.GuardrailContentFilterTypes().
	Type string
	// InputStrength applies to prompts, OutputStrength to model responses; each is one of
	// awsrules.GuardrailStrengths(). PROMPT_ATTACK's OutputStrength must be NONE.
	InputStrength, OutputStrength string
}

// PIIEntity is a type of personal information to block or mask.
type PIIEntity struct {
	// Type is one of awsrules.GuardrailPIIEntityTypes(), e.g. EMAIL.
	Type string
	// Action is BLOCK (the whole prompt or response is replaced by the blocked message) or ANONYMIZE
	// (the match is masked as {EMAIL}).
	Action string
}

// Regex is a custom pattern of sensitive information, e.g. an employee or resident registration number.
type Regex struct {
	// Name of the pattern, 1 to 100 characters, unique in the guardrail.
	Name string
	// Pattern is the regular expression, at most 500 characters. It must compile with Go's regexp as a
	// sanity check; Bedrock's dialect differs slightly (see awsrules.CheckGuardrailRegexPattern).
	Pattern string
	// Action is BLOCK or ANONYMIZE, as for PIIEntity.
	Action string
	// Description of the pattern, at most 1,000 characters. Default: none.
	Description string
}

// Topic is a subject the guardrail refuses to discuss.
type Topic struct {
	// Name of the topic: 1 to 100 ASCII letters, digits, spaces and - _ ! ? . characters, unique in the
	// guardrail.
	Name string
	// Definition says what the topic covers, 1 to 200 characters.
	Definition string
	// Examples are up to 5 prompts of the topic, each at most 100 characters. Default: none.
	Examples []string
}

// Props configures a guardrail.
type Props struct {
	// Name of the guardrail, 1 to 50 ASCII letters, digits, hyphens and underscores, unique in the account
	// and region. Required.
	Name string
	// Description of the guardrail, at most 200 characters. Default: none.
	Description string
	// ContentFilters set the strength per category. Default (empty): DefaultContentFilters(), every
	// category at HIGH on prompts and responses. To relax a category, list every category you want, with
	// the strength you want (NONE switches one off).
	ContentFilters []ContentFilter
	// PIIEntities are the personal information types to block or mask. Default: none.
	PIIEntities []PIIEntity
	// Regexes are custom patterns of sensitive information, at most 10. Default: none.
	Regexes []Regex
	// DeniedTopics are subjects to refuse, at most 30. Default: none.
	DeniedTopics []Topic
	// Words are words or phrases to block, at most 10,000 of at most 100 characters each. Default: none.
	Words []string
	// ManagedProfanity blocks the profanity word list AWS maintains. Default: false.
	ManagedProfanity bool
	// BlockedInputMessage replaces a blocked prompt, 1 to 500 characters. Required.
	BlockedInputMessage string
	// BlockedOutputMessage replaces a blocked model response, 1 to 500 characters. Required.
	BlockedOutputMessage string
	// EnforceInAccount applies the guardrail's numbered version to every inference call in the stack's
	// account and region, whoever calls and whether or not the call names a guardrail, and attaches the
	// resource-based policy AWS recommends alongside it. Enforcement is one setting per account and
	// region: enable it in at most one stack per account and region. Default: false.
	EnforceInAccount bool
	// OrganizationID shares the guardrail with every principal of that organisation (o-…), whose
	// Organizations Amazon Bedrock policy may then enforce it in member accounts: the resource-based
	// policy AWS documents for that lets them apply and read it (aws:PrincipalOrgID). Such a guardrail
	// is encrypted with an AWS owned key, not a key of its own: a member account's caller would need
	// kms:Decrypt on a key of this account in its own IAM policies as well, which AWS does not document
	// for organisation enforcement, and an enforced guardrail a caller cannot apply fails every call.
	// With EnforceInAccount, the enforcement relies on this policy, which admits the account's own
	// principals as members of the organisation. Default: none.
	OrganizationID string
	// RemovalPolicy of the key. Default: RETAIN, since the guardrail's configuration is unreadable without
	// it.
	RemovalPolicy awscdk.RemovalPolicy
}

// Guardrail is what New made.
type Guardrail struct {
	constructs.Construct
	// Key encrypts the guardrail; nil with Props.OrganizationID (an AWS owned key encrypts it).
	Key awskms.Key
	// Resource is the guardrail; its working draft is the configuration of Props.
	Resource awsbedrock.CfnGuardrail
	// Version is the numbered snapshot of the configuration. Its construct ID is "Version" followed by
	// ConfigurationHash.
	Version awsbedrock.CfnGuardrailVersion
	// ConfigurationHash is the first 8 hex digits of the SHA-256 of the rendered configuration.
	ConfigurationHash string
	// Arn of the guardrail, without a version: the resource of bedrock:ApplyGuardrail.
	Arn *string
	// VersionNumber is the numbered version, e.g. "3"; never DRAFT.
	VersionNumber *string
	// VersionedArn is "<guardrail ARN>:<version number>", the value the bedrock:GuardrailIdentifier
	// condition key compares against when an IAM policy requires this guardrail on inference calls.
	VersionedArn *string
	// Enforcement applies Version to every inference call in the account and region; nil unless
	// Props.EnforceInAccount.
	Enforcement awsbedrock.CfnEnforcedGuardrailConfiguration
	// Policy is the guardrail's resource-based policy; nil unless Props.EnforceInAccount or
	// Props.OrganizationID.
	Policy awsbedrock.CfnResourcePolicy
}

// DefaultContentFilters filter every category at HIGH on prompts and responses; prompt attacks on
// prompts only, since Bedrock evaluates them there alone.
func DefaultContentFilters() []ContentFilter {
	var filters []ContentFilter
	for _, t := range awsrules.GuardrailContentFilterTypes() {
		output := "HIGH"
		if t == awsrules.PromptAttack {
			output = "NONE"
		}
		filters = append(filters, ContentFilter{Type: t, InputStrength: "HIGH", OutputStrength: output})
	}
	return filters
}

// New creates the key, the guardrail, its version and, with EnforceInAccount, the enforcement and the
// guardrail's resource-based policy; with OrganizationID, no key and the resource-based policy that
// shares the guardrail with the organisation.
func New(scope constructs.Construct, id string, props Props) *Guardrail {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("guardrail %q: %v", id, err))
	}
	if len(props.ContentFilters) == 0 {
		props.ContentFilters = DefaultContentFilters()
	}
	if props.RemovalPolicy == "" {
		props.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	g := &Guardrail{Construct: c}
	var keyArn *string
	if props.OrganizationID == "" {
		g.Key = newKey(c, props)
		keyArn = g.Key.KeyArn()
	}

	cfg := render(props)
	g.Resource = awsbedrock.NewCfnGuardrail(c, jsii.String("Resource"), cfg.cfnProps(keyArn))
	g.ConfigurationHash = cfg.hash()
	// A new construct ID on every configuration change: CloudFormation creates the new version after the
	// guardrail's update (it depends on the guardrail) and deletes the old one after every reference moved.
	g.Version = awsbedrock.NewCfnGuardrailVersion(c, jsii.String("Version"+g.ConfigurationHash), &awsbedrock.CfnGuardrailVersionProps{
		GuardrailIdentifier: g.Resource.AttrGuardrailId(),
		Description:         jsii.String("Configuration " + g.ConfigurationHash),
	})
	if props.OrganizationID != "" {
		// An organisation's policy reaches member accounts some time after it changes, and an enforced
		// version that no longer exists fails every inference call there: the version a previous
		// policy named stays, for an administrator to delete once no account enforces it.
		g.Version.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	}
	g.Arn = g.Resource.AttrGuardrailArn()
	g.VersionNumber = g.Version.AttrVersion()
	// From the version's attributes, so whatever names VersionedArn waits for the version to exist.
	g.VersionedArn = awscdk.Fn_Join(jsii.String(":"), &[]*string{g.Version.AttrGuardrailArn(), g.VersionNumber})

	// AWS's patterns for sharing a guardrail, as they are: the policy language of guardrail policies is
	// limited to documented statement patterns, so no other conditions and no Sid.
	switch {
	case props.OrganizationID != "":
		g.share(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{awsiam.NewStarPrincipal()},
			Actions:    jsii.Strings("bedrock:GetGuardrail", "bedrock:ApplyGuardrail"),
			Resources:  &[]*string{g.Arn},
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": props.OrganizationID}},
		}))
	case props.EnforceInAccount:
		// Within its own account: principals of other accounts are not admitted.
		g.share(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{awsiam.NewAccountRootPrincipal()},
			Actions:    jsii.Strings("bedrock:ApplyGuardrail", "bedrock:GetGuardrail"),
			Resources:  &[]*string{g.Arn},
		}))
	}
	if props.EnforceInAccount {
		g.enforce()
	}
	return g
}

// newKey creates the guardrail's key.
func newKey(scope constructs.Construct, props Props) awskms.Key {
	key := cmk.New(scope, "Key", cmk.Props{
		Description:   "Encrypts the Bedrock guardrail " + props.Name + " (its topics, words and patterns)",
		RemovalPolicy: props.RemovalPolicy,
	})
	stack := awscdk.Stack_Of(scope)
	// Bedrock uses a guardrail's key with the credentials of whoever creates, updates or applies the
	// guardrail (AWS documents key permissions for those principals, not for a Bedrock service
	// principal), so the confused-deputy guard is kms:CallerAccount with kms:ViaService rather than
	// aws:SourceAccount. Any principal of this account may use the key, but only through Bedrock in this
	// region: with account-level enforcement every caller's inference applies the guardrail, and a
	// caller that could not decrypt it would fail. Creating and updating the guardrail is still gated by
	// the bedrock: permissions, and grants only for AWS resources by the key's deny statement.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("UseThroughBedrockInThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"kms:CallerAccount": stack.Account(),
			"kms:ViaService":    "bedrock." + *stack.Region() + ".amazonaws.com",
		}},
	}), jsii.Bool(false))
	return key
}

// share attaches the guardrail's resource-based policy, of one statement.
func (g *Guardrail) share(statement awsiam.PolicyStatement) {
	g.Policy = awsbedrock.NewCfnResourcePolicy(g.Construct, jsii.String("Policy"), &awsbedrock.CfnResourcePolicyProps{
		ResourceArn:    g.Arn,
		PolicyDocument: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{statement}}),
	})
}

// enforce enforces the version in the account and region, once the resource-based policy is attached.
func (g *Guardrail) enforce() {
	// One enforced configuration per account and region. COMPREHENSIVE evaluates all messages and system
	// prompts; SELECTIVE would evaluate only what the caller tags, letting the caller choose.
	g.Enforcement = awsbedrock.NewCfnEnforcedGuardrailConfiguration(g.Construct, jsii.String("Enforcement"), &awsbedrock.CfnEnforcedGuardrailConfigurationProps{
		GuardrailIdentifier: g.Arn,
		GuardrailVersion:    g.VersionNumber,
		SelectiveContentGuarding: &awsbedrock.CfnEnforcedGuardrailConfiguration_SelectiveContentGuardingProperty{
			Messages: jsii.String("COMPREHENSIVE"),
			System:   jsii.String("COMPREHENSIVE"),
		},
	})
	// Enforced, every Bedrock inference call in the account fails for a caller not allowed to apply the
	// guardrail; AWS advises that callers can apply it before enforcement starts.
	g.Enforcement.Node().AddDependency(g.Policy)
}

// GrantApply lets grantee apply the guardrail (bedrock:ApplyGuardrail on its ARN), which a caller needs
// to invoke a model with it. The key needs no grant: its policy admits this account through Bedrock.
func (g *Guardrail) GrantApply(grantee awsiam.IGrantable) awsiam.Grant {
	return awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings("bedrock:ApplyGuardrail"),
		ResourceArns: &[]*string{g.Arn},
	})
}

// organizationID is an organisation's ID as Organizations writes it.
var organizationID = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

func (p Props) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	length := awsrules.GuardrailTextLength

	if p.OrganizationID != "" && !organizationID.MatchString(p.OrganizationID) {
		add("Props.OrganizationID %q is not an organisation ID: use o- and 10 to 32 lower-case letters or digits", p.OrganizationID)
	}
	if !awsrules.ValidGuardrailName(p.Name) {
		add("Props.Name %q is not a guardrail name: use 1 to %d ASCII letters, digits, hyphens or underscores", p.Name, awsrules.MaxGuardrailNameLength)
	}
	if n := length(p.Description); n > awsrules.MaxGuardrailDescriptionLength {
		add("Props.Description has %d characters: shorten it to %d", n, awsrules.MaxGuardrailDescriptionLength)
	}
	for _, m := range []struct{ field, text string }{{"BlockedInputMessage", p.BlockedInputMessage}, {"BlockedOutputMessage", p.BlockedOutputMessage}} {
		switch n := length(m.text); {
		case strings.TrimSpace(m.text) == "":
			add("Props.%s is empty: say what the user sees instead of the blocked text", m.field)
		case n > awsrules.MaxGuardrailMessageLength:
			add("Props.%s has %d characters: shorten it to %d", m.field, n, awsrules.MaxGuardrailMessageLength)
		}
	}

	filtering := p.ManagedProfanity || len(p.PIIEntities)+len(p.Regexes)+len(p.DeniedTopics)+len(p.Words) > 0 || len(p.ContentFilters) == 0
	seen := map[string]bool{}
	for i, f := range p.ContentFilters {
		if err := awsrules.CheckGuardrailContentFilter(f.Type, f.InputStrength, f.OutputStrength); err != nil {
			add("Props.ContentFilters[%d]: %s", i, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if seen[f.Type] {
			add("Props.ContentFilters[%d]: type %s is listed twice: keep one", i, f.Type)
		}
		seen[f.Type] = true
		filtering = filtering || f.InputStrength != "NONE" || f.OutputStrength != "NONE"
	}
	if !filtering {
		errs = append(errs, errors.New("Props filter nothing: every content filter is NONE and no other filter is set; raise a strength or add PII entities, patterns, topics or words"))
	}

	clear(seen)
	for i, e := range p.PIIEntities {
		if !awsrules.ValidGuardrailPIIEntityType(e.Type) {
			add("Props.PIIEntities[%d].Type %q is not a PII entity type: use one of %s, or a Regex", i, e.Type, strings.Join(awsrules.GuardrailPIIEntityTypes(), ", "))
		}
		if !awsrules.ValidGuardrailPIIAction(e.Action) {
			add("Props.PIIEntities[%d].Action %q: use one of %s", i, e.Action, strings.Join(awsrules.GuardrailPIIActions(), ", "))
		}
		if seen[e.Type] {
			add("Props.PIIEntities[%d]: type %s is listed twice: keep one", i, e.Type)
		}
		seen[e.Type] = true
	}

	if len(p.Regexes) > awsrules.MaxGuardrailRegexes {
		add("Props.Regexes has %d patterns: a guardrail holds at most %d", len(p.Regexes), awsrules.MaxGuardrailRegexes)
	}
	clear(seen)
	for i, r := range p.Regexes {
		if n := length(r.Name); n == 0 || n > awsrules.MaxGuardrailRegexNameLength {
			add("Props.Regexes[%d].Name has %d characters: give 1 to %d", i, n, awsrules.MaxGuardrailRegexNameLength)
		}
		if seen[r.Name] {
			add("Props.Regexes[%d].Name %q is used twice: give each pattern its own name", i, r.Name)
		}
		seen[r.Name] = true
		if err := awsrules.CheckGuardrailRegexPattern(r.Pattern); err != nil {
			add("Props.Regexes[%d].Pattern %v", i, err)
		}
		if !awsrules.ValidGuardrailPIIAction(r.Action) {
			add("Props.Regexes[%d].Action %q: use one of %s", i, r.Action, strings.Join(awsrules.GuardrailPIIActions(), ", "))
		}
		if n := length(r.Description); n > awsrules.MaxGuardrailRegexDescriptionLength {
			add("Props.Regexes[%d].Description has %d characters: shorten it to %d", i, n, awsrules.MaxGuardrailRegexDescriptionLength)
		}
	}

	if len(p.DeniedTopics) > awsrules.MaxGuardrailTopics {
		add("Props.DeniedTopics has %d topics: a guardrail holds at most %d", len(p.DeniedTopics), awsrules.MaxGuardrailTopics)
	}
	clear(seen)
	for i, t := range p.DeniedTopics {
		if !awsrules.ValidGuardrailTopicName(t.Name) {
			add("Props.DeniedTopics[%d].Name %q: use 1 to %d ASCII letters, digits, spaces or - _ ! ? .", i, t.Name, awsrules.MaxGuardrailTopicNameLength)
		}
		if seen[t.Name] {
			add("Props.DeniedTopics[%d].Name %q is used twice: merge the topics or rename one", i, t.Name)
		}
		seen[t.Name] = true
		if n := length(t.Definition); strings.TrimSpace(t.Definition) == "" || n > awsrules.MaxGuardrailTopicDefinitionLength {
			add("Props.DeniedTopics[%d].Definition has %d characters: say what the topic covers in 1 to %d", i, n, awsrules.MaxGuardrailTopicDefinitionLength)
		}
		if len(t.Examples) > awsrules.MaxGuardrailTopicExamples {
			add("Props.DeniedTopics[%d].Examples has %d prompts: keep at most %d", i, len(t.Examples), awsrules.MaxGuardrailTopicExamples)
		}
		for j, e := range t.Examples {
			if n := length(e); strings.TrimSpace(e) == "" || n > awsrules.MaxGuardrailTopicExampleLength {
				add("Props.DeniedTopics[%d].Examples[%d] has %d characters: give a prompt of 1 to %d", i, j, n, awsrules.MaxGuardrailTopicExampleLength)
			}
		}
	}

	if len(p.Words) > awsrules.MaxGuardrailWords {
		add("Props.Words has %d entries: a guardrail blocks at most %d", len(p.Words), awsrules.MaxGuardrailWords)
	}
	for i, w := range p.Words {
		switch n := length(w); {
		case strings.TrimSpace(w) == "":
			add("Props.Words[%d] is blank: remove it", i)
		case n > awsrules.MaxGuardrailWordLength:
			add("Props.Words[%d] has %d characters: shorten it to %d", i, n, awsrules.MaxGuardrailWordLength)
		}
	}
	return errors.Join(errs...)
}
