package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/awsenv"
	"github.com/privatebedrock/stack/internal/checklist"
)

// checkEndpoint confirms the bedrock-runtime endpoint is available, has private DNS (without it SDKs in
// the VPC resolve the public endpoint), and that its policy admits exactly whom and what it should.
func checkEndpoint(ctx context.Context, api *ec2.Client, env config.Environment, d *deployment) checklist.Row {
	const name = "Endpoint"
	outputs, missing := d.need(name, outputEndpoint, outputInvokerRole)
	if missing != nil {
		return *missing
	}
	id, invoker := outputs[0], outputs[1]
	out, err := api.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
	if awsenv.HasCode(err, "InvalidVpcEndpointId.NotFound") || err == nil && len(out.VpcEndpoints) == 0 {
		return checklist.Fail(name, id+": no such endpoint: it was deleted outside CloudFormation",
			"find out who deleted it (CloudTrail: DeleteVpcEndpoints); CloudFormation recreates it only when its template changes")
	}
	if err != nil {
		return command.Unchecked(name, id, err)
	}
	ep := out.VpcEndpoints[0]
	var problems []string
	// EC2 reports the state in lower case, the SDK's enum in title case.
	if !strings.EqualFold(string(ep.State), string(types.StateAvailable)) {
		problems = append(problems, "state "+string(ep.State))
	}
	if !aws.ToBool(ep.PrivateDnsEnabled) {
		problems = append(problems, "private DNS is off: clients in the VPC reach the public bedrock-runtime endpoint instead")
	}
	admitted, policyProblems, err := checkPolicy(aws.ToString(ep.PolicyDocument), env, d, invoker)
	problems = append(problems, policyProblems...)
	if len(problems) > 0 {
		return checklist.Fail(name, id+": "+strings.Join(problems, "; "),
			"if environments.json changed since the last deployment, deploy it ("+deployCommand(env, d.stack)+"); otherwise undo "+
				"the change and find out who made it (the EndpointChanges alert names the caller)")
	}
	detail := fmt.Sprintf("%s: available, private DNS on; the policy admits %d principals to the %d configured model ARNs",
		id, admitted, len(env.ModelArns()))
	switch {
	case errors.Is(err, errUnresolvable):
		return checklist.Warn(name, detail+", as configured; not compared with the deployed template: "+err.Error(),
			"compare the policy with the stack's template by hand (aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "+id+")")
	case err != nil:
		return command.Unchecked(name, id+": the deployed template", err)
	}
	return checklist.Pass(name, detail+", as configured and as in the deployed template")
}

// checkDefaultSecurityGroup confirms the VPC's default security group has no rules: a resource placed
// in it by default would otherwise reach whatever the group allows.
func checkDefaultSecurityGroup(ctx context.Context, api *ec2.Client, d *deployment) checklist.Row {
	const name = "Default security group"
	vpc, missing := d.output(name, outputVpc)
	if missing != nil {
		return *missing
	}
	out, err := api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}},
		{Name: aws.String("group-name"), Values: []string{"default"}},
	}})
	if err != nil {
		return command.Unchecked(name, vpc, err)
	}
	if len(out.SecurityGroups) == 0 {
		return checklist.Fail(name, vpc+" has no default security group: the VPC was deleted outside CloudFormation",
			"find out who deleted it (CloudTrail: DeleteVpc)")
	}
	sg := out.SecurityGroups[0]
	id := aws.ToString(sg.GroupId)
	if in, eg := len(sg.IpPermissions), len(sg.IpPermissionsEgress); in+eg > 0 {
		return checklist.Fail(name, fmt.Sprintf("%s of %s has %d inbound and %d outbound rules", id, vpc, in, eg),
			fmt.Sprintf("revoke them (aws ec2 revoke-security-group-ingress and revoke-security-group-egress --group-id %s) and find "+
				"out who added them: the stack removed the default rules when it created the VPC", id))
	}
	return checklist.Pass(name, id+" of "+vpc+": no inbound or outbound rules")
}
