package main

import "github.com/privatebedrock/stack/internal/awsenv"

// command names the preflight in what it tells the user.
const command awsenv.Command = "the preflight"

// The wording of failed AWS calls is shared with cmd/verify.
var (
	unchecked = command.Unchecked
	reason    = awsenv.Reason
	hasCode   = awsenv.HasCode
)
