package main

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// settings is the function's configuration, read once per container.
type settings struct {
	defaultModel   string
	allowed        []string
	maxPromptBytes int
	maxTokens      int32
	// timeout bounds one Bedrock call including retries and backoff.
	timeout time.Duration
	// headroom is kept free before the Lambda deadline so a slow or throttled
	// call ends with our error instead of a runtime timeout.
	headroom    time.Duration
	maxAttempts int
	maxBackoff  time.Duration
	// guardrailID and guardrailVersion name the guardrail every call must
	// pass; both are empty when none is configured.
	guardrailID      string
	guardrailVersion string
}

// loadSettings reads the environment through getenv so tests need not
// mutate the process environment.
func loadSettings(getenv func(string) string) (settings, error) {
	s := settings{
		defaultModel: strings.TrimSpace(getenv("DEFAULT_MODEL_ID")),
		headroom:     time.Second,
		maxAttempts:  4,
		maxBackoff:   4 * time.Second,
	}
	for id := range strings.SplitSeq(getenv("ALLOWED_MODEL_IDS"), ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(s.allowed, id) {
			s.allowed = append(s.allowed, id)
		}
	}
	switch {
	case s.defaultModel == "":
		return settings{}, errors.New("DEFAULT_MODEL_ID is required")
	case len(s.allowed) == 0:
		return settings{}, errors.New("ALLOWED_MODEL_IDS is required (comma-separated model or inference profile IDs)")
	case !slices.Contains(s.allowed, s.defaultModel):
		return settings{}, fmt.Errorf("DEFAULT_MODEL_ID %q is not in ALLOWED_MODEL_IDS (%s)", s.defaultModel, strings.Join(s.allowed, ", "))
	}

	// 6 MiB is Lambda's synchronous payload limit, so a larger prompt could never arrive.
	n, err := positive(getenv, "MAX_PROMPT_BYTES", 16<<10, 6<<20)
	if err != nil {
		return settings{}, err
	}
	s.maxPromptBytes = n
	if n, err = positive(getenv, "MAX_TOKENS", 512, math.MaxInt32); err != nil {
		return settings{}, err
	}
	s.maxTokens = int32(n)

	s.timeout = 25 * time.Second
	if v := getenv("BEDROCK_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return settings{}, fmt.Errorf("BEDROCK_TIMEOUT must be a positive duration such as 25s, got %q", v)
		}
		s.timeout = d
	}
	if s.guardrailID, s.guardrailVersion, err = guardrail(getenv); err != nil {
		return settings{}, err
	}
	return s, nil
}

// publishedVersion is the form Bedrock gives the versions of a guardrail.
var publishedVersion = regexp.MustCompile(`^[1-9][0-9]{0,7}$`)

// guardrail reads the optional guardrail. DRAFT is refused: it is the working
// copy that changes with every edit, while the guardrail the stack enforces is
// a published version, so a call naming DRAFT would be refused or would test
// rules other than the enforced ones.
func guardrail(getenv func(string) string) (id, version string, err error) {
	id = strings.TrimSpace(getenv("GUARDRAIL_ID"))
	version = strings.TrimSpace(getenv("GUARDRAIL_VERSION"))
	switch {
	case id == "" && version == "":
		return "", "", nil
	case id == "":
		return "", "", errors.New("GUARDRAIL_ID is required when GUARDRAIL_VERSION is set: set it to the guardrail's ID or ARN, or unset both")
	case version == "":
		return "", "", errors.New("GUARDRAIL_VERSION is required when GUARDRAIL_ID is set: set it to a published version number such as 1, or unset both")
	case strings.EqualFold(version, "DRAFT"):
		return "", "", fmt.Errorf("GUARDRAIL_VERSION %q is not allowed: the enforced guardrail needs a published version; "+
			"publish one and set its number, such as 1", version)
	case !publishedVersion.MatchString(version):
		return "", "", fmt.Errorf("GUARDRAIL_VERSION must be a published version number such as 1, got %q", version)
	}
	return id, version, nil
}

// positive parses an optional integer variable in [1, limit].
func positive(getenv func(string) string, name string, def, limit int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > limit {
		return 0, fmt.Errorf("%s must be an integer from 1 to %d, got %q", name, limit, v)
	}
	return n, nil
}
