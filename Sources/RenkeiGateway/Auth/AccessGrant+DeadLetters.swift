import RenkeiBus

extension Gateway {
    /// How `grant` may see dead letters' values: unmasked only with the token's scope and while today's contracts
    /// still allow it (an operator may have left the mynumber zone since the token was issued).
    func deadLetterAccess(for grant: AccessGrant) -> DeadLetterAccess {
        let unmask = [grant.scopes, tokens.scopes.allowed(for: grant.principal)].allSatisfy {
            $0.contains(Scopes.deadLettersReadPersonal)
        }
        return unmask ? .unmasked : .masked
    }
}
