"""Object-level permissions for stories in the Wagtail admin.

The admin obeys the one visibility rule like every other read path: a curator lists, views and
edits only the stories the rule lets them see. Stories are never added or deleted here: they
come in through the storyteller's upload and leave through withdrawal, which keeps the audit
trail.
"""

from __future__ import annotations

from wagtail.permission_policies import ModelPermissionPolicy

from stories.models import StoryQuerySet
from stories.types import User
from stories.visibility import audience_for

NEVER_IN_ADMIN = {"add", "delete"}


class StoryPermissionPolicy(ModelPermissionPolicy):
    def _visible(self, user: User) -> StoryQuerySet:
        return self.model.objects.visible_to(audience_for(user))

    def user_has_permission(self, user: User, action) -> bool:
        return action not in NEVER_IN_ADMIN and super().user_has_permission(user, action)

    def user_has_any_permission(self, user: User, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user: User, action, instance) -> bool:
        return (
            self.user_has_permission(user, action)
            and self._visible(user).filter(pk=instance.pk).exists()
        )

    def user_has_any_permission_for_instance(self, user: User, actions, instance) -> bool:
        allowed = [a for a in actions if self.user_has_permission(user, a)]
        return bool(allowed) and self._visible(user).filter(pk=instance.pk).exists()

    def instances_user_has_permission_for(self, user: User, action) -> StoryQuerySet:
        if not self.user_has_permission(user, action):
            return self.model.objects.none()
        return self._visible(user)

    def instances_user_has_any_permission_for(self, user: User, actions) -> StoryQuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self._visible(user)
