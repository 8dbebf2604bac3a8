package main

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

type trailsAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

// checkTrail looks for a trail that records the region's management events. It is advice, not a
// failure: the stack deploys without one, but the change monitoring that comes later reads them.
func checkTrail(ctx context.Context, api trailsAPI, env config.Environment) checklist.Row {
	const name = "CloudTrail"
	// Shadow trails are how a multi-region or organisation trail created elsewhere shows in this region.
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return unchecked(name, "", err)
	}
	var misses []string
	for _, t := range out.TrailList {
		if !aws.ToBool(t.IsMultiRegionTrail) && aws.ToString(t.HomeRegion) != env.Region {
			continue
		}
		records, detail, err := recordsManagementEvents(ctx, api, t, env.Account)
		if err != nil {
			return unchecked(name, "trail "+aws.ToString(t.Name), err)
		}
		if records {
			return checklist.Pass(name, detail)
		}
		misses = append(misses, detail)
	}
	found := "no trail covers " + env.Region
	if len(misses) > 0 {
		found = "no trail covering " + env.Region + " records its management events: " + strings.Join(misses, "; ")
	}
	return checklist.Warn(name, found, "create a multi-region trail that logs management events (CloudTrail console, or "+
		"aws cloudtrail create-trail --is-multi-region-trail, then start-logging): the change monitoring that comes later depends on it")
}

// recordsManagementEvents reports whether the trail is logging management write events, and a detail
// saying so or why not.
func recordsManagementEvents(ctx context.Context, api trailsAPI, t types.Trail, account string) (bool, string, error) {
	arn := aws.ToString(t.TrailARN)
	desc := "trail " + aws.ToString(t.Name)
	var traits []string
	if aws.ToBool(t.IsMultiRegionTrail) {
		traits = append(traits, "multi-region")
	}
	owner := ""
	if parts := strings.Split(arn, ":"); len(parts) > 4 {
		owner = parts[4]
	}
	if aws.ToBool(t.IsOrganizationTrail) {
		traits = append(traits, "organisation trail of account "+owner)
	}
	if len(traits) > 0 {
		desc += " (" + strings.Join(traits, ", ") + ")"
	}

	status, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	var selectors *cloudtrail.GetEventSelectorsOutput
	if err == nil {
		selectors, err = api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(arn)})
	}
	// A member account sees its organisation's trail but may not read the trail's status or selectors;
	// the organisation's management account runs it, so it counts.
	if err != nil && aws.ToBool(t.IsOrganizationTrail) && owner != account && hasCode(err, "AccessDeniedException", "AccessDenied") {
		return true, desc + ": its status and event selectors are not readable from this account", nil
	}
	if err != nil {
		return false, "", err
	}
	if !aws.ToBool(status.IsLogging) {
		return false, desc + " is not logging", nil
	}
	if !managementWrites(selectors) {
		return false, desc + " records no management write events", nil
	}
	return true, desc + ": logging management events", nil
}

// managementWrites reports whether the selectors record management events that change something, which
// change monitoring reads.
func managementWrites(out *cloudtrail.GetEventSelectorsOutput) bool {
	for _, s := range out.EventSelectors {
		if aws.ToBool(s.IncludeManagementEvents) && (s.ReadWriteType == types.ReadWriteTypeAll || s.ReadWriteType == types.ReadWriteTypeWriteOnly) {
			return true
		}
	}
	for _, s := range out.AdvancedEventSelectors {
		var management, readOnly bool
		for _, f := range s.FieldSelectors {
			switch aws.ToString(f.Field) {
			case "eventCategory":
				management = slices.Contains(f.Equals, "Management")
			case "readOnly":
				readOnly = slices.Equal(f.Equals, []string{"true"})
			}
		}
		if management && !readOnly {
			return true
		}
	}
	return false
}
