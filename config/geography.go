package config

import (
	"slices"
	"strings"
)

// geography is what the prefix of a system (cross-region) inference profile ID stands for: the regions
// that may call the profile, and that it routes to.
type geography struct {
	prefix string
	// areas are families of regions by the part of the code before the location (us for us-east-1,
	// us-gov for us-gov-west-1, ap for ap-northeast-1); regions are single regions. A geography that
	// lists neither serves every region.
	areas, regions []string
}

// geographies is the one table of geography prefixes, from the Amazon Bedrock User Guide, "Supported
// Regions and models for inference profiles"
// (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html). Single-country
// geographies overlap their continent's: Tokyo calls both jp and apac profiles.
var geographies = []geography{
	{prefix: "us", areas: []string{"us"}},
	{prefix: "us-gov", areas: []string{"us-gov"}},
	{prefix: "eu", areas: []string{"eu"}},
	{prefix: "apac", areas: []string{"ap"}},
	{prefix: "jp", regions: []string{"ap-northeast-1", "ap-northeast-3"}},
	{prefix: "au", regions: []string{"ap-southeast-2", "ap-southeast-4"}},
	{prefix: "ca", areas: []string{"ca"}},
	{prefix: "global"},
}

// geographyPrefixes are the prefixes of the table, for the profile ID pattern.
func geographyPrefixes() []string {
	prefixes := make([]string, len(geographies))
	for i, g := range geographies {
		prefixes[i] = g.prefix
	}
	return prefixes
}

// geographyOf is the geography of a profile ID that matches profilePattern.
func geographyOf(profileID string) geography {
	prefix := profilePattern.FindStringSubmatch(profileID)[1]
	return geographies[slices.IndexFunc(geographies, func(g geography) bool { return g.prefix == prefix })]
}

// serves says whether region, a valid region code, may call the geography's profiles, or be routed to.
func (g geography) serves(region string) bool {
	if len(g.areas) == 0 && len(g.regions) == 0 {
		return true
	}
	// The area is the code without its last two parts: us-gov-west-1 is in us-gov, not us.
	location := strings.LastIndex(region, "-")
	area := region[:strings.LastIndex(region[:location], "-")]
	return slices.Contains(g.areas, area) || slices.Contains(g.regions, region)
}

// String says which regions the geography serves, e.g. "us-*".
func (g geography) String() string {
	if len(g.areas) == 0 && len(g.regions) == 0 {
		return "any region"
	}
	var served []string
	for _, a := range g.areas {
		served = append(served, a+"-*")
	}
	return strings.Join(append(served, g.regions...), " and ")
}

// prefixesServing are the geography prefixes whose profiles region may call.
func prefixesServing(region string) []string {
	var prefixes []string
	for _, g := range geographies {
		if g.serves(region) {
			prefixes = append(prefixes, g.prefix)
		}
	}
	return prefixes
}
