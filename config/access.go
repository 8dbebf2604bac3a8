package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// AccessRole is an assumable role the stack creates for people and tools that call Bedrock (the IAM
// guide's BedrockExecutionRole, a Claude Code or Careti role): who may assume it, from which network
// its sessions may call, and whether their requests name the guardrail.
type AccessRole struct {
	// Name of the IAM role, unique in the account: profiles and other accounts' policies name it.
	Name string `json:"name"`
	// Description says who the role is for. Optional.
	Description string `json:"description"`
	// TrustedPrincipals are IAM user or role ARNs, of this or other accounts (an identity account),
	// that may assume the role; IAM Identity Center permission-set roles by their full ARN
	// (role/aws-reserved/sso.amazonaws.com/...).
	TrustedPrincipals []string `json:"trustedPrincipals"`
	// TrustedServices may assume the role for workloads: ec2.amazonaws.com, ecs-tasks.amazonaws.com,
	// lambda.amazonaws.com.
	TrustedServices []string `json:"trustedServices"`
	// RequireMFA admits the trusted principals only with MFA (aws:MultiFactorAuthPresent).
	RequireMFA bool `json:"requireMfa"`
	// RequireSourceIdentity admits the trusted principals only when they set a source identity, which
	// then names the person in every CloudTrail record of the session.
	RequireSourceIdentity bool `json:"requireSourceIdentity"`
	// MaxSessionHours is the longest session, 1 to 12. Default: 1.
	MaxSessionHours int `json:"maxSessionHours"`
	// Network says where the role's sessions may call Bedrock from.
	Network AccessNetwork `json:"network"`
	// GuardrailAware roles' callers name the guardrail in every request (an SDK application); Claude Code
	// and Careti cannot, and rely on account-level enforcement.
	GuardrailAware bool `json:"guardrailAware"`
	// MarketplaceSubscription lets the role subscribe to third-party models, only through Bedrock
	// (aws:CalledViaLast). Default: false.
	MarketplaceSubscription bool `json:"marketplaceSubscription"`
}

// AccessNetwork is where a role's sessions may call from: one or both of the endpoint and source IPs,
// or, deliberately, anywhere.
type AccessNetwork struct {
	// Endpoint admits calls through this environment's endpoints (aws:SourceVpce): workloads in the VPC
	// and networks connected to it. The environment then also gets the bedrock and sts endpoints.
	Endpoint bool `json:"endpoint"`
	// SourceIPs admits calls from these public CIDR blocks (aws:SourceIp): laptops on a corporate
	// network, through the public Bedrock endpoint.
	SourceIPs []string `json:"sourceIps"`
	// Anywhere admits calls from any network. Synthesis warns about every role that uses it.
	Anywhere bool `json:"anywhere"`
}

// AccessRoleServices are the service principals an access role may trust.
var AccessRoleServices = []string{"ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "lambda.amazonaws.com"}

// maxSessionHours is the longest MaxSessionDuration IAM accepts.
const maxSessionHours = 12

var (
	roleNamePattern = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	// The narrowest public block a role may admit by source IP: broader ones admit much of the internet.
	minSourcePrefix = map[bool]int{true: 16, false: 32} // by Is4
)

// AccessRoleArn is the ARN of an access role of the environment.
func (e Environment) AccessRoleArn(r AccessRole) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", e.Partition(), e.Account, r.Name)
}

// Principals are every principal, besides the test function, that the endpoint admits and the prompt
// store lets read: the client principals and the access roles.
func (e Environment) Principals() []string {
	all := slices.Clone(e.ClientPrincipals)
	for _, r := range e.AccessRoles {
		all = append(all, e.AccessRoleArn(r))
	}
	return all
}

// SessionHours is the role's maximum session in hours, its default applied.
func (r AccessRole) SessionHours() int {
	if r.MaxSessionHours == 0 {
		return 1
	}
	return r.MaxSessionHours
}

// needsEndpoints says whether some access role's callers work through the VPC: they list and read
// inference profiles through the bedrock endpoint and assume the role through the sts endpoint.
func (e Environment) needsEndpoints() bool {
	return slices.ContainsFunc(e.AccessRoles, func(r AccessRole) bool { return r.Network.Endpoint })
}

// validateAccessRoles checks each access role and that its name collides with nothing in the account.
func (e Environment) validateAccessRoles(p *problems) {
	for i, r := range e.AccessRoles {
		field := fmt.Sprintf("accessRoles[%d]", i)
		if !roleNamePattern.MatchString(r.Name) {
			p.bad(field+".name", quote(r.Name), "is not an IAM role name: use 1 to 64 letters, digits and +=,.@_-")
		}
		if slices.IndexFunc(e.AccessRoles, func(o AccessRole) bool { return strings.EqualFold(o.Name, r.Name) }) < i {
			p.bad(field+".name", quote(r.Name), "is the name of another access role (IAM role names ignore case): give each role its own name")
		}
		if arn := e.AccessRoleArn(r); slices.Contains(e.ClientPrincipals, arn) {
			p.bad(field+".name", quote(r.Name), "is also listed in clientPrincipals: the stack creates this role and admits it itself; remove it from clientPrincipals")
		}
		if len(r.TrustedPrincipals) == 0 && len(r.TrustedServices) == 0 {
			p.bad(field+".trustedPrincipals", "[]", "and trustedServices are both empty: name who may assume the role, e.g. arn:aws:iam::"+e.Account+":user/DeveloperUser")
		}
		for j, arn := range r.TrustedPrincipals {
			f := fmt.Sprintf("%s.trustedPrincipals[%d]", field, j)
			switch {
			case strings.Contains(arn, "*"):
				p.bad(f, quote(arn), "is a wildcard: name each trusted user or role by its full ARN")
			case !principalPattern.MatchString(arn):
				p.bad(f, quote(arn), "is not an IAM user or role ARN: use arn:aws:iam::<12-digit account>:user/<name> or :role/<path and name>")
			case slices.Index(r.TrustedPrincipals, arn) < j:
				p.bad(f, quote(arn), "is listed twice: list each principal once")
			}
		}
		for j, s := range r.TrustedServices {
			if !slices.Contains(AccessRoleServices, s) {
				p.bad(fmt.Sprintf("%s.trustedServices[%d]", field, j), quote(s), "is not a service an access role may trust: use one of "+strings.Join(AccessRoleServices, ", "))
			}
		}
		if len(r.TrustedPrincipals) == 0 {
			if r.RequireMFA {
				p.bad(field+".requireMfa", true, "but only services are trusted, and services assume roles without MFA: trust principals in trustedPrincipals or set requireMfa to false")
			}
			if r.RequireSourceIdentity {
				p.bad(field+".requireSourceIdentity", true, "but only services are trusted, and services set no source identity: trust principals in trustedPrincipals or set requireSourceIdentity to false")
			}
		}
		users := slices.ContainsFunc(r.TrustedPrincipals, func(arn string) bool { return strings.Contains(arn, ":user/") })
		if r.RequireMFA && slices.ContainsFunc(r.TrustedPrincipals, func(arn string) bool { return strings.Contains(arn, ":role/") }) {
			p.bad(field+".requireMfa", true, "but trustedPrincipals lists roles, whose sessions carry no MFA when they assume another role: require MFA where those people sign in (IAM Identity Center, the identity account's role), and set requireMfa only for roles trusted by IAM users")
		}
		if r.MaxSessionHours < 0 || r.MaxSessionHours > maxSessionHours {
			p.bad(field+".maxSessionHours", r.MaxSessionHours, fmt.Sprintf("is outside what IAM accepts: give 1 to %d hours, or 0 for 1", maxSessionHours))
		} else if r.MaxSessionHours > 1 && !users {
			p.bad(field+".maxSessionHours", r.MaxSessionHours, "has no effect: only IAM users get sessions longer than an hour (STS limits a role's session assuming another role to one, and services renew their own): give 1")
		}
		e.validateAccessNetwork(p, field+".network", r.Network)
		if r.GuardrailAware && !e.Guardrail.Enabled {
			p.bad(field+".guardrailAware", true, "but the environment has no guardrail: enable guardrail or set guardrailAware to false")
		}
	}
	for i, r := range e.AccessRoles {
		if slices.Contains(e.Guardrail.AwarePrincipals, e.AccessRoleArn(r)) {
			p.bad(fmt.Sprintf("accessRoles[%d].name", i), quote(r.Name), "is listed in guardrail.awarePrincipals: set the role's guardrailAware instead")
		}
	}
}

func (e Environment) validateAccessNetwork(p *problems, field string, n AccessNetwork) {
	switch {
	case n.Anywhere && (n.Endpoint || len(n.SourceIPs) > 0):
		p.bad(field+".anywhere", true, "together with endpoint or sourceIps, which it makes pointless: choose anywhere alone or the networks alone")
	case !n.Anywhere && !n.Endpoint && len(n.SourceIPs) == 0:
		p.bad(field, "{}", "names no network: set endpoint to true (calls through this environment's endpoints), list corporate sourceIps, or set anywhere to true to accept calls from any network")
	}
	for i, cidr := range n.SourceIPs {
		f := fmt.Sprintf("%s.sourceIps[%d]", field, i)
		prefix, err := netip.ParsePrefix(cidr)
		switch {
		case err != nil:
			p.bad(f, quote(cidr), "is not a CIDR block: use one such as 203.0.113.0/24")
		case prefix.Masked() != prefix:
			p.bad(f, quote(cidr), "has host bits set: use "+prefix.Masked().String())
		case prefix.Bits() < minSourcePrefix[prefix.Addr().Is4()]:
			p.bad(f, quote(cidr), fmt.Sprintf("admits a large part of the internet: list your corporate egress blocks, each /%d or narrower", minSourcePrefix[prefix.Addr().Is4()]))
		case !prefix.Addr().IsGlobalUnicast() || prefix.Addr().IsPrivate():
			p.bad(f, quote(cidr), "is not a public address block, and aws:SourceIp carries the public address a request comes from (calls through VPC endpoints carry none): list corporate egress blocks, and set endpoint for callers inside the network")
		}
	}
}

// accessRoleConflicts finds access roles that two environments in one account would both create.
func (f *File) accessRoleConflicts() []error {
	var errs []error
	for i, a := range f.Environments {
		for _, b := range f.Environments[i+1:] {
			if a.Account != b.Account {
				continue
			}
			for _, ra := range a.AccessRoles {
				for j, rb := range b.AccessRoles {
					if strings.EqualFold(ra.Name, rb.Name) {
						errs = append(errs, fmt.Errorf("environment %q: accessRoles[%d].name: %q is also created by environment %q in account %s, and IAM role names are unique in an account: give one of them another name", b.Name, j, rb.Name, a.Name, a.Account))
					}
				}
			}
		}
	}
	return errs
}
