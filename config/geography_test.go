package config

import (
	"slices"
	"strings"
	"testing"
)

func TestGeographyPrefixesServeTheirRegions(t *testing.T) {
	cases := []struct {
		region string
		want   []string
	}{
		{"us-east-1", []string{"us", "global"}},
		{"us-west-1", []string{"us", "global"}},
		{"us-gov-west-1", []string{"us-gov", "global"}},
		{"eu-central-2", []string{"eu", "global"}},
		{"ap-northeast-1", []string{"apac", "jp", "global"}},
		{"ap-northeast-2", []string{"apac", "global"}},
		{"ap-northeast-3", []string{"apac", "jp", "global"}},
		{"ap-southeast-2", []string{"apac", "au", "global"}},
		{"ap-southeast-4", []string{"apac", "au", "global"}},
		{"ap-southeast-1", []string{"apac", "global"}},
		{"ca-west-1", []string{"ca", "global"}},
		{"sa-east-1", []string{"global"}},
	}
	for _, c := range cases {
		if got := prefixesServing(c.region); !slices.Equal(got, c.want) {
			t.Errorf("prefixesServing(%s) = %v, want %v", c.region, got, c.want)
		}
	}
}

// A Japanese environment may call jp profiles, which route to Tokyo and Osaka only, but not au ones; a
// wrong prefix is reported once, not again for each destination.
func TestJapaneseProfileInTokyo(t *testing.T) {
	e := Environment{Name: "tokyo", Region: "ap-northeast-1", InferenceProfiles: []InferenceProfile{
		{ID: "jp.anthropic.claude-sonnet-4-5-20250929-v1:0", DestinationRegions: []string{"ap-northeast-1", "ap-northeast-3", "ap-northeast-2"}},
		{ID: "au.anthropic.claude-sonnet-4-5-20250929-v1:0", DestinationRegions: []string{"ap-northeast-1"}},
	}}
	p := &problems{env: e.Name}
	e.validateModels(p)
	var got []string
	for _, err := range p.errs {
		got = append(got, err.Error())
	}
	want := []string{
		`environment "tokyo": inferenceProfiles[0].destinationRegions[2]: "ap-northeast-2" is outside the profile's geography jp (ap-northeast-1 and ap-northeast-3): list only the regions the profile routes to`,
		`environment "tokyo": inferenceProfiles[1].id: "au.anthropic.claude-sonnet-4-5-20250929-v1:0" has the geography prefix au (ap-southeast-2 and ap-southeast-4), which the environment's region ap-northeast-1 cannot call: use the model's profile with one of the prefixes that serve ap-northeast-1: apac, jp, global`,
	}
	// The environment is otherwise empty: only the profiles' lines matter.
	got = slices.DeleteFunc(got, func(line string) bool { return !strings.Contains(line, "inferenceProfiles") })
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
