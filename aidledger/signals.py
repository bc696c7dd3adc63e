"""Signal receivers of the team app."""


def unlink_members_of_deleted_account(sender, instance, **kwargs) -> None:
    """Before a login account is deleted, unlink its members one by one (save(), so each
    member's history records it): Django's SET_NULL would do it with an UPDATE, unrecorded."""
    for member in instance.members.all():
        member.user = None
        member.save(update_fields=["user"])
