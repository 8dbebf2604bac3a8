package main

import (
	"reflect"
	"testing"
	"time"
)

func TestLoadSettings(t *testing.T) {
	base := map[string]string{
		"DEFAULT_MODEL_ID":  haiku,
		"ALLOWED_MODEL_IDS": haiku + "," + profile,
	}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	defaults := settings{
		defaultModel:   haiku,
		allowed:        []string{haiku, profile},
		maxPromptBytes: 16 << 10,
		maxTokens:      512,
		timeout:        25 * time.Second,
		headroom:       time.Second,
		maxAttempts:    4,
		maxBackoff:     4 * time.Second,
	}
	tests := []struct {
		name string
		env  map[string]string
		want func(*settings)
		err  string
	}{
		{name: "defaults", env: base, want: func(*settings) {}},
		{
			name: "overrides",
			env:  with("MAX_PROMPT_BYTES", "100", "MAX_TOKENS", "64", "BEDROCK_TIMEOUT", "1500ms"),
			want: func(s *settings) { s.maxPromptBytes, s.maxTokens, s.timeout = 100, 64, 1500*time.Millisecond },
		},
		{
			name: "list is trimmed and deduplicated",
			env:  with("DEFAULT_MODEL_ID", " "+profile+" ", "ALLOWED_MODEL_IDS", " "+profile+" ,, "+haiku+","+profile+","),
			want: func(s *settings) { s.defaultModel, s.allowed = profile, []string{profile, haiku} },
		},
		{name: "missing default", env: with("DEFAULT_MODEL_ID", " "), err: "DEFAULT_MODEL_ID is required"},
		{
			name: "missing allowed list",
			env:  with("ALLOWED_MODEL_IDS", " , "),
			err:  "ALLOWED_MODEL_IDS is required (comma-separated model or inference profile IDs)",
		},
		{
			name: "default not allowed",
			env:  with("DEFAULT_MODEL_ID", "amazon.titan-text-express-v1"),
			err:  `DEFAULT_MODEL_ID "amazon.titan-text-express-v1" is not in ALLOWED_MODEL_IDS (` + haiku + ", " + profile + ")",
		},
		{name: "prompt limit not a number", env: with("MAX_PROMPT_BYTES", "16k"), err: `MAX_PROMPT_BYTES must be an integer from 1 to 6291456, got "16k"`},
		{name: "prompt limit zero", env: with("MAX_PROMPT_BYTES", "0"), err: `MAX_PROMPT_BYTES must be an integer from 1 to 6291456, got "0"`},
		{name: "max tokens negative", env: with("MAX_TOKENS", "-1"), err: `MAX_TOKENS must be an integer from 1 to 2147483647, got "-1"`},
		{name: "max tokens overflow", env: with("MAX_TOKENS", "2147483648"), err: `MAX_TOKENS must be an integer from 1 to 2147483647, got "2147483648"`},
		{name: "timeout without unit", env: with("BEDROCK_TIMEOUT", "25"), err: `BEDROCK_TIMEOUT must be a positive duration such as 25s, got "25"`},
		{name: "timeout negative", env: with("BEDROCK_TIMEOUT", "-1s"), err: `BEDROCK_TIMEOUT must be a positive duration such as 25s, got "-1s"`},
		{
			name: "guardrail",
			env:  with("GUARDRAIL_ID", guardrailID, "GUARDRAIL_VERSION", "3"),
			want: func(s *settings) { s.guardrailID, s.guardrailVersion = guardrailID, "3" },
		},
		{
			name: "guardrail ARN and version are trimmed",
			env:  with("GUARDRAIL_ID", " "+guardrailARN+" ", "GUARDRAIL_VERSION", " 12345678 "),
			want: func(s *settings) { s.guardrailID, s.guardrailVersion = guardrailARN, "12345678" },
		},
		{name: "blank guardrail means none", env: with("GUARDRAIL_ID", " ", "GUARDRAIL_VERSION", ""), want: func(*settings) {}},
		{
			name: "guardrail without version",
			env:  with("GUARDRAIL_ID", guardrailID),
			err:  "GUARDRAIL_VERSION is required when GUARDRAIL_ID is set: set it to a published version number such as 1, or unset both",
		},
		{
			name: "guardrail version without ID",
			env:  with("GUARDRAIL_VERSION", "1"),
			err:  "GUARDRAIL_ID is required when GUARDRAIL_VERSION is set: set it to the guardrail's ID or ARN, or unset both",
		},
		{
			name: "guardrail draft",
			env:  with("GUARDRAIL_ID", guardrailID, "GUARDRAIL_VERSION", "DRAFT"),
			err:  `GUARDRAIL_VERSION "DRAFT" is not allowed: the enforced guardrail needs a published version; publish one and set its number, such as 1`,
		},
		{
			name: "guardrail draft in lower case",
			env:  with("GUARDRAIL_ID", guardrailID, "GUARDRAIL_VERSION", "draft"),
			err:  `GUARDRAIL_VERSION "draft" is not allowed: the enforced guardrail needs a published version; publish one and set its number, such as 1`,
		},
		{
			name: "guardrail version not a number",
			env:  with("GUARDRAIL_ID", guardrailID, "GUARDRAIL_VERSION", "v1"),
			err:  `GUARDRAIL_VERSION must be a published version number such as 1, got "v1"`,
		},
		{
			name: "guardrail version zero",
			env:  with("GUARDRAIL_ID", guardrailID, "GUARDRAIL_VERSION", "0"),
			err:  `GUARDRAIL_VERSION must be a published version number such as 1, got "0"`,
		},
		{
			name: "guardrail version with leading zero",
			env:  with("GUARDRAIL_ID", guardrailID, "GUARDRAIL_VERSION", "01"),
			err:  `GUARDRAIL_VERSION must be a published version number such as 1, got "01"`,
		},
		{
			name: "guardrail version too long",
			env:  with("GUARDRAIL_ID", guardrailID, "GUARDRAIL_VERSION", "123456789"),
			err:  `GUARDRAIL_VERSION must be a published version number such as 1, got "123456789"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadSettings(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			want.allowed = append([]string(nil), defaults.allowed...)
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("settings = %+v, want %+v", got, want)
			}
		})
	}
}
