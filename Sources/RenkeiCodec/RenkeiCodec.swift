// The codec target; see docs/architecture.md. Real code arrives with issue 3.
public import RenkeiContracts
