package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

type networkAPI interface {
	DescribeAvailabilityZones(context.Context, *ec2.DescribeAvailabilityZonesInput, ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error)
	DescribeVpcEndpointServices(context.Context, *ec2.DescribeVpcEndpointServicesInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointServicesOutput, error)
}

// zone is an availability zone of the account, by name. Names map to different physical zones in each
// account; the ID says which one.
type zone struct {
	id    string
	state types.AvailabilityZoneState
}

// checkZones confirms every configured zone exists and is available in this account, and returns the
// account's zones for the endpoint check (nil when they could not be read).
func checkZones(ctx context.Context, api networkAPI, env config.Environment) (checklist.Row, map[string]zone) {
	const name = "Availability zones"
	out, err := api.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		return unchecked(name, "", err), nil
	}
	zones := map[string]zone{}
	for _, z := range out.AvailabilityZones {
		// Local and Wavelength Zones the account opted into are listed too; a VPC's subnets here go in
		// availability zones only.
		if aws.ToString(z.ZoneType) == "availability-zone" {
			zones[aws.ToString(z.ZoneName)] = zone{aws.ToString(z.ZoneId), z.State}
		}
	}
	var found, problems []string
	for _, az := range env.AvailabilityZones {
		z, ok := zones[az]
		switch {
		case !ok:
			problems = append(problems, az+" does not exist in this account")
		case z.state != types.AvailabilityZoneStateAvailable:
			problems = append(problems, fmt.Sprintf("%s (%s) is %s", az, z.id, z.state))
		default:
			found = append(found, az+"="+z.id)
		}
	}
	if len(problems) > 0 {
		return checklist.Fail(name, strings.Join(problems, "; "), "list available zones of this account in "+
			"availabilityZones: "+zoneList(available(zones, slices.Sorted(maps.Keys(zones))), zones)), zones
	}
	return checklist.Pass(name, strings.Join(found, ", ")), zones
}

// checkEndpointServices confirms every interface endpoint the VPC gets is offered in every zone the
// endpoints go in (the first interfaceEndpointZones of the configured zones, or all of them):
// CloudFormation fails the endpoint, and the whole deployment, on a zone without the service.
func checkEndpointServices(ctx context.Context, api networkAPI, env config.Environment, zones map[string]zone) []checklist.Row {
	const name = "Endpoint service"
	services := env.InterfaceEndpointServices()
	fullName := func(service string) string { return "com.amazonaws." + env.Region + "." + service }
	var names []string
	for _, s := range services {
		names = append(names, fullName(s))
	}
	// A filter, unlike ServiceNames, does not fail the whole call on a service the region lacks.
	input := &ec2.DescribeVpcEndpointServicesInput{Filters: []types.Filter{
		{Name: aws.String("service-name"), Values: names},
		{Name: aws.String("service-type"), Values: []string{string(types.ServiceTypeInterface)}},
	}}
	offered := map[string][]string{}
	for {
		out, err := api.DescribeVpcEndpointServices(ctx, input)
		if err != nil {
			return []checklist.Row{unchecked(name, "", err)}
		}
		for _, d := range out.ServiceDetails {
			offered[aws.ToString(d.ServiceName)] = append(offered[aws.ToString(d.ServiceName)], d.AvailabilityZones...)
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		input.NextToken = out.NextToken
	}

	// Zones that offer every service the region has, to suggest; a service the region lacks is a
	// problem of its own.
	common := slices.Concat(slices.Collect(maps.Values(offered))...)
	slices.Sort(common)
	common = slices.DeleteFunc(available(zones, slices.Compact(common)), func(z string) bool {
		for _, in := range offered {
			if !slices.Contains(in, z) {
				return true
			}
		}
		return false
	})
	endpointZones := env.EndpointZones()
	pick := fmt.Sprintf("set availabilityZones to zones that offer every endpoint service: %s", zoneList(common, zones))
	if len(common) < len(endpointZones) {
		pick = fmt.Sprintf("fewer than %d zones of %s offer every endpoint service (%s): drop optional endpoints from "+
			"interfaceEndpoints, lower interfaceEndpointZones, or choose another region", len(endpointZones), env.Region, zoneList(common, zones))
	}

	var rows []checklist.Row
	for _, s := range services {
		in, ok := offered[fullName(s)]
		if !ok {
			fix := "choose a region that offers " + fullName(s)
			if slices.Contains(env.InterfaceEndpoints, s) {
				fix += ", or remove " + s + " from interfaceEndpoints"
			}
			rows = append(rows, checklist.Fail(name, s+": not offered in "+env.Region, fix))
			continue
		}
		missing := slices.DeleteFunc(slices.Clone(endpointZones), func(z string) bool { return slices.Contains(in, z) })
		if len(missing) > 0 {
			rows = append(rows, checklist.Fail(name, s+": not offered in "+strings.Join(missing, ", "), pick))
			continue
		}
		rows = append(rows, checklist.Pass(name, s+": offered in "+strings.Join(endpointZones, ", ")))
	}
	return rows
}

// available keeps the names of zones that are available; with no zones known, all of them.
func available(zones map[string]zone, names []string) []string {
	if zones == nil {
		return names
	}
	return slices.DeleteFunc(names, func(n string) bool { return zones[n].state != types.AvailabilityZoneStateAvailable })
}

// zoneList names zones with their IDs, e.g. "us-east-1a (use1-az6), us-east-1b (use1-az1)".
func zoneList(names []string, zones map[string]zone) string {
	if len(names) == 0 {
		return "none"
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n
		if z, ok := zones[n]; ok {
			parts[i] += " (" + z.id + ")"
		}
	}
	return strings.Join(parts, ", ")
}
