package awsrules

import (
	"slices"
	"strings"
	"testing"
)

func TestGuardrailEnumerations(t *testing.T) {
	for _, c := range []struct {
		name  string
		list  []string
		valid func(string) bool
		want  []string
		not   []string
	}{
		{"content filter types", GuardrailContentFilterTypes(), ValidGuardrailContentFilterType,
			[]string{"HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", "PROMPT_ATTACK"}, []string{"", "hate", "PROFANITY"}},
		{"strengths", GuardrailStrengths(), ValidGuardrailStrength,
			[]string{"NONE", "LOW", "MEDIUM", "HIGH"}, []string{"", "high", "MAX"}},
		{"PII actions", GuardrailPIIActions(), ValidGuardrailPIIAction,
			[]string{"BLOCK", "ANONYMIZE"}, []string{"", "NONE", "MASK", "block"}},
		{"managed word lists", GuardrailManagedWordLists(), ValidGuardrailManagedWordList,
			[]string{"PROFANITY"}, []string{"", "profanity", "HATE"}},
	} {
		if !slices.Equal(c.list, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.list, c.want)
		}
		for _, v := range c.want {
			if !c.valid(v) {
				t.Errorf("%s: %q invalid", c.name, v)
			}
		}
		for _, v := range c.not {
			if c.valid(v) {
				t.Errorf("%s: %q valid", c.name, v)
			}
		}
	}
}

func TestGuardrailEnumerationsAreCopies(t *testing.T) {
	GuardrailContentFilterTypes()[0] = "CHANGED"
	GuardrailPIIEntityTypes()[0] = "CHANGED"
	if !ValidGuardrailContentFilterType("HATE") || !ValidGuardrailPIIEntityType("ADDRESS") {
		t.Error("a caller changed the rules through a returned slice")
	}
}

func TestGuardrailPIIEntityTypes(t *testing.T) {
	types := GuardrailPIIEntityTypes()
	// Sorted, so Compact drops any duplicate.
	if len(types) != 31 || !slices.IsSorted(types) || len(slices.Compact(slices.Clone(types))) != len(types) {
		t.Errorf("GuardrailPIIEntityTypes = %v: want 31 distinct types, sorted", types)
	}
	for _, typ := range []string{"ADDRESS", "AGE", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "EMAIL", "NAME", "PHONE",
		"US_SOCIAL_SECURITY_NUMBER", "UK_NATIONAL_INSURANCE_NUMBER", "CA_HEALTH_NUMBER", "VEHICLE_IDENTIFICATION_NUMBER"} {
		if !ValidGuardrailPIIEntityType(typ) {
			t.Errorf("ValidGuardrailPIIEntityType(%q) = false", typ)
		}
	}
	for _, typ := range []string{"", "email", "KR_RESIDENT_REGISTRATION_NUMBER", "SSN"} {
		if ValidGuardrailPIIEntityType(typ) {
			t.Errorf("ValidGuardrailPIIEntityType(%q) = true", typ)
		}
	}
}

func TestValidGuardrailName(t *testing.T) {
	for name, want := range map[string]bool{
		"private-bedrock_dev": true, "a": true, "A1": true, strings.Repeat("x", 50): true,
		"": false, strings.Repeat("x", 51): false, "with space": false, "dot.name": false, "가드레일": false, "a/b": false,
	} {
		if got := ValidGuardrailName(name); got != want {
			t.Errorf("ValidGuardrailName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValidGuardrailTopicName(t *testing.T) {
	for name, want := range map[string]bool{
		"Investment advice": true, "legal-advice_v2": true, "Why? Because!": true, "v1.0": true, strings.Repeat("x", 100): true,
		"": false, strings.Repeat("x", 101): false, "투자 조언": false, "a/b": false, "a,b": false,
	} {
		if got := ValidGuardrailTopicName(name); got != want {
			t.Errorf("ValidGuardrailTopicName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestGuardrailTextLength(t *testing.T) {
	korean := strings.Repeat("차", MaxGuardrailMessageLength)
	if GuardrailTextLength(korean) != MaxGuardrailMessageLength || len(korean) != 3*MaxGuardrailMessageLength {
		t.Errorf("GuardrailTextLength of %d Korean syllables = %d", MaxGuardrailMessageLength, GuardrailTextLength(korean))
	}
	if MaxGuardrailMessageLength != 500 {
		t.Errorf("MaxGuardrailMessageLength = %d, the API allows 500", MaxGuardrailMessageLength)
	}
}

func TestCheckGuardrailContentFilter(t *testing.T) {
	for _, c := range []struct {
		typ, input, output string
		// wants are substrings of the error, one per problem; none means valid.
		wants []string
	}{
		{"HATE", "HIGH", "HIGH", nil},
		{"MISCONDUCT", "NONE", "LOW", nil},
		{"PROMPT_ATTACK", "HIGH", "NONE", nil},
		{"PROMPT_ATTACK", "HIGH", "HIGH", []string{"output strength of PROMPT_ATTACK", "use NONE"}},
		{"PROMPT_ATTACK", "NONE", "LOW", []string{"use NONE"}},
		{"PROFANITY", "HIGH", "HIGH", []string{`type "PROFANITY" is not one of HATE, INSULTS`}},
		{"HATE", "high", "MAX", []string{`input strength "high"`, `output strength "MAX"`}},
		{"", "", "", []string{`type ""`, `input strength ""`, `output strength ""`}},
	} {
		err := CheckGuardrailContentFilter(c.typ, c.input, c.output)
		if len(c.wants) == 0 {
			if err != nil {
				t.Errorf("CheckGuardrailContentFilter(%q, %q, %q) = %v, want nil", c.typ, c.input, c.output, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckGuardrailContentFilter(%q, %q, %q) = nil, want %q", c.typ, c.input, c.output, c.wants)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("CheckGuardrailContentFilter(%q, %q, %q) = %q, want it to contain %q", c.typ, c.input, c.output, err, w)
			}
		}
	}
}

func TestCheckGuardrailRegexPattern(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    string // substring of the error; "" means valid
	}{
		{`\d{6}-[1-4]\d{6}`, ""},
		{`^EMP-[0-9]{5}$`, ""},
		{strings.Repeat("a", MaxGuardrailRegexPatternLength), ""},
		{"", "has 0 characters"},
		{strings.Repeat("a", MaxGuardrailRegexPatternLength+1), "has 501 characters"},
		{`(unclosed`, "does not compile"},
		{`a(?=b)`, "does not compile"}, // lookahead: RE2 refuses it, as the doc comment says
	} {
		err := CheckGuardrailRegexPattern(c.pattern)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("CheckGuardrailRegexPattern(%q) = %v, want nil", c.pattern, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("CheckGuardrailRegexPattern(%q) = %v, want an error containing %q", c.pattern, err, c.want)
		}
	}
}

func TestGuardrailLimits(t *testing.T) {
	// The documented limits; a change here is a change in what configurations are accepted.
	for name, c := range map[string]struct{ got, want int }{
		"name": {MaxGuardrailNameLength, 50}, "description": {MaxGuardrailDescriptionLength, 200},
		"regexes": {MaxGuardrailRegexes, 10}, "regex name": {MaxGuardrailRegexNameLength, 100},
		"regex description": {MaxGuardrailRegexDescriptionLength, 1000},
		"topics":            {MaxGuardrailTopics, 30}, "topic name": {MaxGuardrailTopicNameLength, 100},
		"topic definition": {MaxGuardrailTopicDefinitionLength, 200}, "topic examples": {MaxGuardrailTopicExamples, 5},
		"topic example": {MaxGuardrailTopicExampleLength, 100}, "words": {MaxGuardrailWords, 10000},
		"word": {MaxGuardrailWordLength, 100},
	} {
		if c.got != c.want {
			t.Errorf("limit %s = %d, want %d", name, c.got, c.want)
		}
	}
}
