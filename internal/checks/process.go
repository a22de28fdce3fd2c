package checks

// processChecks lists the secure-development-process and disclosure
// checks (CRA Annex I Part II and Art. 13(8)), in report order.
func processChecks() []Check {
	return []Check{}
}
