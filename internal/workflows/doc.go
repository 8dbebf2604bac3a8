// Package workflows only holds tests of the repository's GitHub workflows (.github/workflows): that
// actionlint finds nothing in them, that CI runs the README's set-up, synth and test commands as
// written, and that the deploy workflow reaches AWS through OIDC only, with prod behind its
// GitHub Environment.
package workflows
