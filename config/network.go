package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// OptionalInterfaceEndpoints are the interface endpoints an environment may add, by AWS service name
// (com.amazonaws.<region>.<name>); ec2 is always there. logs serves workloads that call CloudWatch Logs
// themselves (the CloudWatch agent, SDK log calls): nothing of the stack does, since Lambda, VPC flow
// logs and Bedrock deliver their logs from their own services.
var OptionalInterfaceEndpoints = []string{"bedrock", "ec2", "kms", "logs", "sts"}

// Subnet size the VPC carves per AZ; the VPC must hold one per AZ.
const subnetPrefixLen = 24

// validateNetwork checks the zones, the address block and the interface endpoints.
func (e Environment) validateNetwork(p *problems) {
	if len(e.AvailabilityZones) < 2 {
		p.bad("availabilityZones", e.AvailabilityZones, "lists fewer than 2 zones: list at least 2 zones of the region, e.g. "+e.Region+"a and "+e.Region+"b")
	}
	for i, az := range e.AvailabilityZones {
		suffix, ok := strings.CutPrefix(az, e.Region)
		if !ok || len(suffix) != 1 || suffix[0] < 'a' || suffix[0] > 'z' {
			p.bad(fmt.Sprintf("availabilityZones[%d]", i), quote(az), "is not a zone of region "+e.Region+": use the region code followed by a zone letter, e.g. "+e.Region+"a")
		}
		if slices.Index(e.AvailabilityZones, az) < i {
			p.bad(fmt.Sprintf("availabilityZones[%d]", i), quote(az), "is listed twice: list each zone once")
		}
	}
	if prefix, err := netip.ParsePrefix(e.VpcCidr); err != nil || !prefix.Addr().Is4() {
		p.bad("vpcCidr", quote(e.VpcCidr), "is not an IPv4 CIDR block: use a private block such as 10.20.0.0/16")
	} else if prefix.Masked() != prefix {
		p.bad("vpcCidr", quote(e.VpcCidr), "has host bits set: use "+prefix.Masked().String())
	} else if prefix.Bits() < 16 || prefix.Bits() > 28 {
		p.bad("vpcCidr", quote(e.VpcCidr), "is outside the /16 to /28 sizes a VPC accepts: use a /16 to /22 block")
	} else if !prefix.Addr().IsPrivate() {
		p.bad("vpcCidr", quote(e.VpcCidr), "is not in a private (RFC 1918) range: use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
	} else if capacity := subnetCapacity(prefix); capacity < len(e.AvailabilityZones) {
		p.bad("vpcCidr", quote(e.VpcCidr), fmt.Sprintf("has room for %d /%d subnets but %d zones are listed: use a larger block, e.g. a /%d", capacity, subnetPrefixLen, len(e.AvailabilityZones), 20))
	}
	if n := e.InterfaceEndpointZones; n < 0 || n > len(e.AvailabilityZones) {
		p.bad("interfaceEndpointZones", n, fmt.Sprintf("is not a number of the environment's %d zones: give 1 to %d, or 0 for all", len(e.AvailabilityZones), len(e.AvailabilityZones)))
	}
	for i, s := range e.InterfaceEndpoints {
		if !slices.Contains(OptionalInterfaceEndpoints, s) {
			p.bad(fmt.Sprintf("interfaceEndpoints[%d]", i), quote(s), "is not an optional endpoint this stack offers: use one of "+strings.Join(OptionalInterfaceEndpoints, ", "))
		}
	}
}

// overlappingBlocks finds environments whose address blocks overlap: they may be connected later.
func (f *File) overlappingBlocks() []error {
	var errs []error
	for i, a := range f.Environments {
		pa, errA := netip.ParsePrefix(a.VpcCidr)
		for _, b := range f.Environments[i+1:] {
			if pb, errB := netip.ParsePrefix(b.VpcCidr); errA == nil && errB == nil && pa.Overlaps(pb) {
				errs = append(errs, fmt.Errorf("environment %q: vpcCidr: %q overlaps environment %q's %q: give each environment its own block so they can be peered or attached to a transit gateway", b.Name, b.VpcCidr, a.Name, a.VpcCidr))
			}
		}
	}
	return errs
}

// subnetCapacity is how many subnets of subnetPrefixLen fit in the block.
func subnetCapacity(block netip.Prefix) int {
	if block.Bits() > subnetPrefixLen {
		return 0
	}
	return 1 << (subnetPrefixLen - block.Bits())
}

// EndpointZones are the zones that get the interface endpoints: the first interfaceEndpointZones of
// availabilityZones, or all of them.
func (e Environment) EndpointZones() []string {
	if n := e.InterfaceEndpointZones; n > 0 && n <= len(e.AvailabilityZones) {
		return e.AvailabilityZones[:n]
	}
	return e.AvailabilityZones
}
