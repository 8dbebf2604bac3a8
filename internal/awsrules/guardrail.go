package awsrules

// The rules Amazon Bedrock Guardrails imposes on a guardrail's configuration, as the CreateGuardrail API
// reference and the AWS::Bedrock::Guardrail resource schema state them. Lengths are counted in characters
// (Unicode code points), as the API's length constraints are: a Korean blocked message of 500 syllables
// fits, though it takes 1,500 bytes.

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of a guardrail's text fields and lists.
const (
	// MaxGuardrailNameLength is the longest guardrail name.
	MaxGuardrailNameLength = 50
	// MaxGuardrailDescriptionLength is the longest guardrail description.
	MaxGuardrailDescriptionLength = 200
	// MaxGuardrailMessageLength is the longest message returned when a prompt or response is blocked.
	MaxGuardrailMessageLength = 500

	// MaxGuardrailRegexes is how many regular expressions one guardrail holds.
	MaxGuardrailRegexes = 10
	// MaxGuardrailRegexNameLength is the longest name of a regular expression.
	MaxGuardrailRegexNameLength = 100
	// MaxGuardrailRegexPatternLength is the longest regular expression.
	MaxGuardrailRegexPatternLength = 500
	// MaxGuardrailRegexDescriptionLength is the longest description of a regular expression.
	MaxGuardrailRegexDescriptionLength = 1000

	// MaxGuardrailTopics is how many denied topics one guardrail holds.
	MaxGuardrailTopics = 30
	// MaxGuardrailTopicNameLength is the longest denied topic name.
	MaxGuardrailTopicNameLength = 100
	// MaxGuardrailTopicDefinitionLength is the longest definition of a denied topic.
	MaxGuardrailTopicDefinitionLength = 200
	// MaxGuardrailTopicExamples is how many example prompts a denied topic holds.
	MaxGuardrailTopicExamples = 5
	// MaxGuardrailTopicExampleLength is the longest example prompt of a denied topic.
	MaxGuardrailTopicExampleLength = 100

	// MaxGuardrailWords is how many custom words or phrases one guardrail blocks.
	MaxGuardrailWords = 10000
	// MaxGuardrailWordLength is the longest custom word or phrase.
	MaxGuardrailWordLength = 100
)

// PromptAttack is the content filter category of jailbreaks and prompt injection. Bedrock evaluates it
// on prompts only, so its output strength must be NONE.
const PromptAttack = "PROMPT_ATTACK"

var (
	guardrailContentFilterTypes = []string{"HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", PromptAttack}
	guardrailStrengths          = []string{"NONE", "LOW", "MEDIUM", "HIGH"}
	// The entity types of GuardrailPiiEntityConfig, in the API reference's (alphabetical) order.
	guardrailPIIEntityTypes = []string{
		"ADDRESS", "AGE", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "CA_HEALTH_NUMBER", "CA_SOCIAL_INSURANCE_NUMBER",
		"CREDIT_DEBIT_CARD_CVV", "CREDIT_DEBIT_CARD_EXPIRY", "CREDIT_DEBIT_CARD_NUMBER", "DRIVER_ID", "EMAIL",
		"INTERNATIONAL_BANK_ACCOUNT_NUMBER", "IP_ADDRESS", "LICENSE_PLATE", "MAC_ADDRESS", "NAME", "PASSWORD",
		"PHONE", "PIN", "SWIFT_CODE", "UK_NATIONAL_HEALTH_SERVICE_NUMBER", "UK_NATIONAL_INSURANCE_NUMBER",
		"UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER", "URL", "USERNAME", "US_BANK_ACCOUNT_NUMBER",
		"US_BANK_ROUTING_NUMBER", "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", "US_PASSPORT_NUMBER",
		"US_SOCIAL_SECURITY_NUMBER", "VEHICLE_IDENTIFICATION_NUMBER",
	}
	// The API also accepts NONE (detect and report only); a guardrail here acts on what it detects.
	guardrailPIIActions       = []string{"BLOCK", "ANONYMIZE"}
	guardrailManagedWordLists = []string{"PROFANITY"}

	guardrailName      = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,50}$`)
	guardrailTopicName = regexp.MustCompile(`^[0-9a-zA-Z_ !?.-]{1,100}$`)
)

// GuardrailContentFilterTypes are the content filter categories, PROMPT_ATTACK last.
func GuardrailContentFilterTypes() []string { return slices.Clone(guardrailContentFilterTypes) }

// ValidGuardrailContentFilterType says whether t is a content filter category.
func ValidGuardrailContentFilterType(t string) bool {
	return slices.Contains(guardrailContentFilterTypes, t)
}

// GuardrailStrengths are the strengths of a content filter, weakest first. NONE switches the filter off
// in that direction.
func GuardrailStrengths() []string { return slices.Clone(guardrailStrengths) }

// ValidGuardrailStrength says whether s is a content filter strength.
func ValidGuardrailStrength(s string) bool { return slices.Contains(guardrailStrengths, s) }

// GuardrailPIIEntityTypes are the personal-information entity types a sensitive information filter
// detects. Anything else needs a regular expression.
func GuardrailPIIEntityTypes() []string { return slices.Clone(guardrailPIIEntityTypes) }

// ValidGuardrailPIIEntityType says whether t is a PII entity type.
func ValidGuardrailPIIEntityType(t string) bool { return slices.Contains(guardrailPIIEntityTypes, t) }

// GuardrailPIIActions are what a sensitive information filter (PII entity or regular expression) does
// on a match: BLOCK replaces the whole prompt or response with the blocked message, ANONYMIZE masks
// the match with an identifier tag such as {EMAIL}.
func GuardrailPIIActions() []string { return slices.Clone(guardrailPIIActions) }

// ValidGuardrailPIIAction says whether a is a sensitive information action.
func ValidGuardrailPIIAction(a string) bool { return slices.Contains(guardrailPIIActions, a) }

// GuardrailManagedWordLists are the word lists AWS maintains.
func GuardrailManagedWordLists() []string { return slices.Clone(guardrailManagedWordLists) }

// ValidGuardrailManagedWordList says whether l is a managed word list.
func ValidGuardrailManagedWordList(l string) bool {
	return slices.Contains(guardrailManagedWordLists, l)
}

// ValidGuardrailName says whether n is a guardrail name: 1 to 50 ASCII letters, digits, hyphens and
// underscores.
func ValidGuardrailName(n string) bool { return guardrailName.MatchString(n) }

// ValidGuardrailTopicName says whether n is a denied topic name: 1 to 100 ASCII letters, digits, spaces
// and the characters - _ ! ? .
func ValidGuardrailTopicName(n string) bool { return guardrailTopicName.MatchString(n) }

// GuardrailTextLength is the length of s as Bedrock counts it against the Max* limits: in characters.
func GuardrailTextLength(s string) int { return utf8.RuneCountInString(s) }

// CheckGuardrailContentFilter reports what is wrong with a content filter of category t with the given
// input and output strengths, all problems joined, or nil.
func CheckGuardrailContentFilter(t, input, output string) error {
	var errs []error
	if !ValidGuardrailContentFilterType(t) {
		errs = append(errs, fmt.Errorf("type %q is not one of %s", t, strings.Join(guardrailContentFilterTypes, ", ")))
	}
	for _, s := range []struct{ dir, strength string }{{"input", input}, {"output", output}} {
		if !ValidGuardrailStrength(s.strength) {
			errs = append(errs, fmt.Errorf("%s strength %q is not one of %s", s.dir, s.strength, strings.Join(guardrailStrengths, ", ")))
		}
	}
	if t == PromptAttack && output != "NONE" {
		errs = append(errs, fmt.Errorf("output strength of %s is %q: use NONE, Bedrock evaluates prompt attacks on prompts only", PromptAttack, output))
	}
	return errors.Join(errs...)
}

// CheckGuardrailRegexPattern reports whether p is too long for a guardrail or is not a regular
// expression at all. Go's RE2 syntax is only a sanity check: Bedrock's dialect differs in places (Go
// refuses lookaround and backreferences, for example), so a pattern that passes can still be refused at
// deployment, and a valid Bedrock pattern that uses lookaround is refused here.
func CheckGuardrailRegexPattern(p string) error {
	if n := GuardrailTextLength(p); n == 0 || n > MaxGuardrailRegexPatternLength {
		return fmt.Errorf("has %d characters: give a pattern of 1 to %d", n, MaxGuardrailRegexPatternLength)
	}
	if _, err := regexp.Compile(p); err != nil {
		return fmt.Errorf("does not compile (%w): fix it, and avoid lookaround and backreferences", err)
	}
	return nil
}
