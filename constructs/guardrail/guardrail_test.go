package guardrail

// Props checks and the configuration hash, which need no synthesis; the template is tested with the
// stacks.

import (
	"strings"
	"testing"
)

func valid() Props {
	return Props{
		Name:                 "private-bedrock-dev",
		PIIEntities:          []PIIEntity{{Type: "EMAIL", Action: "ANONYMIZE"}},
		Regexes:              []Regex{{Name: "rrn", Pattern: `\d{6}-[1-4]\d{6}`, Action: "BLOCK"}},
		DeniedTopics:         []Topic{{Name: "Investment advice", Definition: "Advice on investing money.", Examples: []string{"Which stock?"}}},
		Words:                []string{"nightingale"},
		BlockedInputMessage:  "요청이 차단되었습니다.",
		BlockedOutputMessage: "응답이 차단되었습니다.",
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Props)
		want   []string // substrings of the error, each naming the prop; none means valid
	}{
		{"valid", func(*Props) {}, nil},
		{"defaults only", func(p *Props) { *p = Props{Name: "g", BlockedInputMessage: "x", BlockedOutputMessage: "y"} }, nil},
		{"500 Korean characters", func(p *Props) { p.BlockedInputMessage = strings.Repeat("차", 500) }, nil},
		{"501 characters", func(p *Props) { p.BlockedOutputMessage = strings.Repeat("차", 501) }, []string{"Props.BlockedOutputMessage has 501 characters"}},
		{"no name", func(p *Props) { p.Name = "" }, []string{`Props.Name ""`}},
		{"shared with an organisation", func(p *Props) { p.OrganizationID = "o-a1b2c3d4e5" }, nil},
		{"organisation ID of an account", func(p *Props) { p.OrganizationID = "111111111111" },
			[]string{`Props.OrganizationID "111111111111" is not an organisation ID`}},
		{"blank message", func(p *Props) { p.BlockedInputMessage = "  " }, []string{"Props.BlockedInputMessage is empty"}},
		{"prompt attack on output", func(p *Props) {
			p.ContentFilters = []ContentFilter{{Type: "PROMPT_ATTACK", InputStrength: "HIGH", OutputStrength: "LOW"}}
		}, []string{"Props.ContentFilters[0]: output strength of PROMPT_ATTACK"}},
		{"duplicate filter", func(p *Props) {
			p.ContentFilters = []ContentFilter{{"HATE", "LOW", "LOW"}, {"HATE", "HIGH", "HIGH"}}
		}, []string{"Props.ContentFilters[1]: type HATE is listed twice"}},
		{"nothing filtered", func(p *Props) {
			*p = Props{Name: "g", BlockedInputMessage: "x", BlockedOutputMessage: "y", ContentFilters: []ContentFilter{{"HATE", "NONE", "NONE"}}}
		}, []string{"Props filter nothing"}},
		{"bad PII", func(p *Props) { p.PIIEntities = []PIIEntity{{"SSN", "NONE"}, {"EMAIL", "BLOCK"}, {"EMAIL", "BLOCK"}} },
			[]string{`Props.PIIEntities[0].Type "SSN"`, `Props.PIIEntities[0].Action "NONE"`, "Props.PIIEntities[2]: type EMAIL is listed twice"}},
		{"bad regex", func(p *Props) {
			p.Regexes = []Regex{{Name: "a", Pattern: "(", Action: "BLOCK"}, {Name: "a", Pattern: "x", Action: "MASK"}}
		},
			[]string{"Props.Regexes[0].Pattern does not compile", `Props.Regexes[1].Name "a" is used twice`, `Props.Regexes[1].Action "MASK"`}},
		{"too many regexes", func(p *Props) { p.Regexes = make([]Regex, 11) }, []string{"Props.Regexes has 11 patterns"}},
		{"bad topic", func(p *Props) { p.DeniedTopics = []Topic{{Name: "투자", Examples: make([]string, 6)}} },
			[]string{`Props.DeniedTopics[0].Name "투자"`, "Props.DeniedTopics[0].Definition", "Props.DeniedTopics[0].Examples has 6", "Props.DeniedTopics[0].Examples[0]"}},
		{"bad words", func(p *Props) { p.Words = []string{"", strings.Repeat("w", 101)} },
			[]string{"Props.Words[0] is blank", "Props.Words[1] has 101 characters"}},
	} {
		p := valid()
		c.change(&p)
		err := p.validate()
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want %q", c.name, c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestConfigurationHash(t *testing.T) {
	p := valid()
	p.ContentFilters = DefaultContentFilters()
	h := render(p).hash()
	if len(h) != 8 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not 8 hex digits", h)
	}
	// Pinned: the hash names the version resource, so a change here replaces every deployed version.
	// Change it only together with the rendering, on purpose.
	if h != "274d6ffa" {
		t.Errorf("hash = %s, want 274d6ffa", h)
	}
	for name, change := range map[string]func(*Props){
		"word":           func(p *Props) { p.Words = append(p.Words, "other") },
		"order":          func(p *Props) { p.ContentFilters[0], p.ContentFilters[1] = p.ContentFilters[1], p.ContentFilters[0] },
		"strength":       func(p *Props) { p.ContentFilters[0].OutputStrength = "MEDIUM" },
		"profanity":      func(p *Props) { p.ManagedProfanity = true },
		"message":        func(p *Props) { p.BlockedOutputMessage += "." },
		"topic example":  func(p *Props) { p.DeniedTopics[0].Examples = nil },
		"regex action":   func(p *Props) { p.Regexes[0].Action = "ANONYMIZE" },
		"description":    func(p *Props) { p.Description = "d" },
		"pii entity set": func(p *Props) { p.PIIEntities = nil },
	} {
		q := valid()
		q.ContentFilters = DefaultContentFilters()
		q.DeniedTopics = []Topic{{Name: "Investment advice", Definition: "Advice on investing money.", Examples: []string{"Which stock?"}}}
		change(&q)
		if render(q).hash() == h {
			t.Errorf("changing the %s keeps hash %s", name, h)
		}
	}
	q := valid()
	q.ContentFilters = DefaultContentFilters()
	q.EnforceInAccount, q.RemovalPolicy, q.OrganizationID = true, "DESTROY", "o-a1b2c3d4e5"
	if render(q).hash() != h {
		t.Error("enforcement, sharing or the key's removal policy changed the version hash; none is in the snapshot")
	}
}
