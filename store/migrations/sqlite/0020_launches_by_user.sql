-- The App Home lists the launches a person takes part in: created, owns a
-- section, group or item of, ticked an item of, or holds a role in. These
-- indexes find them by the person, so that opening the Home reads that
-- person's launches only, not every launch of the team.
CREATE INDEX launches_by_creator ON launches (team_id, creator) WHERE archived = 0;
CREATE INDEX items_by_owner ON items (owner, launch_id) WHERE owner <> '';
CREATE INDEX items_by_doer ON items (done_by, launch_id) WHERE done_by <> '';
CREATE INDEX sections_by_owner ON sections (owner, launch_id) WHERE owner <> '';
CREATE INDEX section_groups_by_owner ON section_groups (owner, launch_id) WHERE owner <> '';
CREATE INDEX roles_by_holder ON roles (holder, launch_id) WHERE holder <> '';
