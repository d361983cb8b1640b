//! Invitation links: coordinators and admins make them (a lifetime and a use
//! limit), see who joined through each and revoke them; signing up through
//! an open link joins its community as a member, with or without the
//! deployment's sign-up code. A closed link (expired, used up, revoked) or
//! an unknown one lets nobody in and makes no account.

use belfry::contract::invitations::{
    InvitationPreview, InvitationState, InvitationView, InvitationsOverview, NewInvitation,
};
use belfry::contract::types::{Role, Spaces, UserView};
use belfry::server::db;
use serde_json::{json, Value};

use crate::common::{Parish, Person, TestApp, PASSWORD};

async fn community(p: &Parish) -> i64 {
    let spaces: Spaces = p.alice.ok("my_spaces", json!({})).await;
    spaces.communities[0].id.0
}

async fn make(by: &Person, community: i64, hours: u32, uses: u32) -> (NewInvitation, String) {
    let made: NewInvitation = by
        .ok(
            "create_invitation",
            json!({"community_id": community, "hours": hours, "max_uses": uses}),
        )
        .await;
    let code = made
        .path
        .strip_prefix("/signup?invite=")
        .expect("a sign-up link")
        .to_string();
    (made, code)
}

fn form(username: &str, invitation: &str) -> Value {
    json!({"username": username, "display_name": username, "password": PASSWORD,
           "invitation": invitation})
}

async fn list(by: &Person, community: i64) -> Vec<InvitationView> {
    let overview: InvitationsOverview = by
        .ok("list_invitations", json!({"community_id": community}))
        .await;
    overview.invitations
}

#[tokio::test]
async fn a_link_brings_a_new_person_into_its_community_who_can_then_be_called() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let (made, code) = make(&p.bob, c, 168, 2).await;
    assert_eq!(made.invitation.state, InvitationState::Open);
    assert_eq!(made.invitation.hint, code[code.len() - 4..]);
    assert_eq!(
        made.invitation.made_by.as_ref().map(|u| u.id),
        Some(p.bob.id())
    );

    let newcomer = p.app.visitor();
    let preview: InvitationPreview = newcomer
        .ok("preview_invitation", json!({"code": code}))
        .await;
    assert_eq!(preview.community_name, "Our Parish");
    let user: UserView = newcomer.ok("sign_up", form("wren", &code)).await;
    let spaces: Spaces = newcomer.ok("my_spaces", json!({})).await;
    assert_eq!(spaces.communities.len(), 1);
    assert_eq!(spaces.communities[0].id.0, c);
    assert_eq!(
        spaces.communities[0].role,
        Role::Member,
        "never more than a member"
    );
    assert!(
        spaces.channels.iter().any(|ch| ch.id == p.hall),
        "sees the parish"
    );

    let links = list(&p.alice, c).await;
    assert_eq!(links[0].uses, 1);
    assert_eq!(
        links[0].joined.iter().map(|u| u.id).collect::<Vec<_>>(),
        [user.id],
        "who joined through it"
    );
    // bob can now reach the newcomer: a direct conversation and a call.
    let direct: Value = p
        .bob
        .ok("open_direct_channel", json!({"user_id": user.id}))
        .await;
    let _: Value = p
        .bob
        .ok("initiate_call", json!({"channel_id": direct["id"]}))
        .await;
    // The code is not kept, only its hash.
    let db = &p.app.state.db;
    let kept: Vec<String> =
        belfry::on_db!(db => sqlx::query_scalar("SELECT code_hash FROM invitations")
        .fetch_all(db)
        .await)
        .unwrap();
    assert!(kept.iter().all(|h| h != &code && h.len() == 43), "{kept:?}");
}

#[tokio::test]
async fn a_link_joins_its_own_community_not_the_first_one() {
    let p = Parish::new().await;
    let db = &p.app.state.db;
    let other = db::communities::insert(db, "St Cecilia").await.unwrap();
    db::communities::add_member(db, other, p.dave.id(), Role::Admin)
        .await
        .unwrap();
    let (_, code) = make(&p.dave, other.0, 24, 1).await;
    let newcomer = p.app.visitor();
    let _: UserView = newcomer.ok("sign_up", form("finch", &code)).await;
    let spaces: Spaces = newcomer.ok("my_spaces", json!({})).await;
    let names: Vec<&str> = spaces.communities.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["St Cecilia"]);
    // The parish's people cannot see or revoke St Cecilia's links.
    let (status, _) = p
        .alice
        .fails("list_invitations", json!({"community_id": other.0}))
        .await;
    assert_eq!(status, 403);
    let links = list(&p.dave, other.0).await;
    let (status, _) = p
        .alice
        .fails("revoke_invitation", json!({"invitation_id": links[0].id}))
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_link_lets_in_as_many_as_it_says_and_nobody_once_closed() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let (_, once) = make(&p.alice, c, 24, 1).await;
    // Two at once for its one place: exactly one gets in.
    let (a, b) = (p.app.visitor(), p.app.visitor());
    let (ra, rb) = tokio::join!(
        a.call::<UserView>("sign_up", form("robin", &once)),
        b.call::<UserView>("sign_up", form("wagtail", &once)),
    );
    assert_eq!([ra.is_ok(), rb.is_ok()].iter().filter(|x| **x).count(), 1);
    let (status, e) = p.app.visitor().fails("sign_up", form("heron", &once)).await;
    assert_eq!(status, 409);
    assert!(e.message.contains("used as many times"), "{}", e.message);
    let (status, _) = p
        .app
        .visitor()
        .fails(
            "sign_in",
            json!({"username": "heron", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 401, "no account was made");
    let (status, _) = p
        .app
        .visitor()
        .fails("preview_invitation", json!({"code": once}))
        .await;
    assert_eq!(status, 409);

    // Expired.
    let (made, week) = make(&p.alice, c, 168, 5).await;
    let db = &p.app.state.db;
    belfry::on_db!(db => sqlx::query("UPDATE invitations SET expires_at = 1 WHERE id = $1")
        .bind(made.invitation.id.0)
        .execute(db)
        .await
        .map(|_| ()))
    .unwrap();
    let (status, e) = p.app.visitor().fails("sign_up", form("swift", &week)).await;
    assert_eq!(status, 409);
    assert!(e.message.contains("expired"), "{}", e.message);

    // Revoked: by a coordinator, once.
    let (made, month) = make(&p.alice, c, 720, 5).await;
    let revoked: InvitationView = p
        .bob
        .ok(
            "revoke_invitation",
            json!({"invitation_id": made.invitation.id}),
        )
        .await;
    assert_eq!(revoked.state, InvitationState::Revoked);
    let (status, _) = p
        .bob
        .fails(
            "revoke_invitation",
            json!({"invitation_id": made.invitation.id}),
        )
        .await;
    assert_eq!(status, 409, "already revoked");
    let (status, e) = p
        .app
        .visitor()
        .fails("sign_up", form("swift", &month))
        .await;
    assert_eq!(status, 409);
    assert!(e.message.contains("revoked"), "{}", e.message);

    let states: Vec<InvitationState> = list(&p.alice, c).await.iter().map(|i| i.state).collect();
    assert_eq!(
        states,
        [
            InvitationState::Revoked,
            InvitationState::Expired,
            InvitationState::UsedUp
        ],
        "newest first"
    );
}

#[tokio::test]
async fn a_failed_sign_up_gives_the_link_s_use_back() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let (_, code) = make(&p.alice, c, 24, 1).await;
    let (status, _) = p.app.visitor().fails("sign_up", form("carol", &code)).await;
    assert_eq!(status, 409, "the username is taken");
    assert_eq!(list(&p.alice, c).await[0].uses, 0, "the use came back");
    let _: UserView = p.app.visitor().ok("sign_up", form("carol2", &code)).await;
    assert_eq!(list(&p.alice, c).await[0].uses, 1);
}

#[tokio::test]
async fn only_coordinators_and_admins_make_links_and_bad_ones_are_refused() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let args = json!({"community_id": c, "hours": 24, "max_uses": 1});
    let (status, _) = p.carol.fails("create_invitation", args.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = p
        .carol
        .fails("list_invitations", json!({"community_id": c}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = p.app.visitor().fails("create_invitation", args).await;
    assert_eq!(status, 401);
    for (hours, uses, why) in [
        (25, 1, "hours"),
        (24, 0, "no uses"),
        (24, 101, "too many uses"),
    ] {
        let (status, e) = p
            .alice
            .fails(
                "create_invitation",
                json!({"community_id": c, "hours": hours, "max_uses": uses}),
            )
            .await;
        assert_eq!(status, 400, "{why}: {}", e.message);
    }
    let (status, _) = p
        .alice
        .fails(
            "create_invitation",
            json!({"community_id": 999, "hours": 24, "max_uses": 1}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = p
        .alice
        .fails("revoke_invitation", json!({"invitation_id": 999_999}))
        .await;
    assert_eq!(status, 404);
    assert!(list(&p.alice, c).await.is_empty(), "nothing was made");
}

#[tokio::test]
async fn unknown_codes_make_no_account_and_an_address_that_guesses_is_stopped() {
    let p = Parish::new().await;
    let guesser = p.app.visitor();
    let (status, e) = guesser.fails("sign_up", form("magpie", "not-a-code")).await;
    assert_eq!(status, 404, "{}", e.message);
    let (status, _) = guesser
        .fails(
            "sign_in",
            json!({"username": "magpie", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 401, "no account");
    let mut last = 0;
    for i in 0..40 {
        let (status, _) = guesser
            .fails("preview_invitation", json!({"code": format!("guess-{i}")}))
            .await;
        last = status;
        if status == 429 {
            break;
        }
    }
    assert_eq!(last, 429, "guessing is limited");
}

#[tokio::test]
async fn the_sign_up_code_keeps_working_and_a_link_needs_none() {
    let app = TestApp::with_config(|c| c.signup_code = Some("bells-42".into())).await;
    let plain = json!({"username": "owl", "display_name": "Owl", "password": PASSWORD});
    let (status, _) = app.visitor().fails("sign_up", plain.clone()).await;
    assert_eq!(status, 403, "no code, no link");
    let mut coded = plain;
    coded["invite_code"] = json!("bells-42");
    let mut owl = app.visitor();
    owl.user = Some(owl.ok("sign_up", coded).await);
    let spaces: Spaces = owl.ok("my_spaces", json!({})).await;
    let c = spaces.communities[0].id.0;
    assert_eq!(spaces.communities[0].role, Role::Admin, "the first account");
    let (_, code) = make(&owl, c, 24, 1).await;
    let newcomer = app.visitor();
    let _: UserView = newcomer.ok("sign_up", form("lark", &code)).await;
    let spaces: Spaces = newcomer.ok("my_spaces", json!({})).await;
    assert_eq!(spaces.communities[0].id.0, c);
    assert_eq!(spaces.communities[0].role, Role::Member);
}

#[tokio::test]
async fn a_community_has_at_most_fifty_open_links_however_many_it_made() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let mut first = None;
    for _ in 0..50 {
        let (made, _) = make(&p.alice, c, 24, 1).await;
        first.get_or_insert(made.invitation.id);
    }
    let args = json!({"community_id": c, "hours": 24, "max_uses": 1});
    let (status, e) = p.bob.fails("create_invitation", args.clone()).await;
    assert_eq!(status, 409, "{}", e.message);
    // Revoking the oldest (which the list's newest hundred would not show
    // once more were made) opens a place again.
    let _: InvitationView = p
        .alice
        .ok(
            "revoke_invitation",
            json!({"invitation_id": first.unwrap()}),
        )
        .await;
    let _: NewInvitation = p.bob.ok("create_invitation", args.clone()).await;
    let (status, _) = p.bob.fails("create_invitation", args).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn someone_removed_comes_back_with_their_account_only_through_a_new_open_link() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let (_, old) = make(&p.alice, c, 24, 5).await;
    p.remove_from_parish(c, &p.carol).await;
    // Not in it, she is not let back by an unknown, revoked or used link.
    let (status, _) = p
        .carol
        .fails("join_invitation", json!({"code": "x".repeat(43)}))
        .await;
    assert_eq!(status, 404);
    let links = list(&p.alice, c).await;
    let _: Value = p
        .alice
        .ok("revoke_invitation", json!({"invitation_id": links[0].id}))
        .await;
    let (status, e) = p.carol.fails("join_invitation", json!({"code": old})).await;
    assert_eq!(status, 409, "{}", e.message);
    let spaces: Spaces = p.carol.ok("my_spaces", json!({})).await;
    assert!(spaces.communities.is_empty(), "still out");
    // A visitor holding a link joins nothing: an account is needed.
    let (fresh, code) = make(&p.alice, c, 24, 2).await;
    let (status, _) = p
        .app
        .visitor()
        .fails("join_invitation", json!({"code": code}))
        .await;
    assert_eq!(status, 401);

    // A new open link brings her back, as a member, with her account.
    let joined: InvitationPreview = p.carol.ok("join_invitation", json!({"code": code})).await;
    assert_eq!(joined.community_name, "Our Parish");
    let spaces: Spaces = p.carol.ok("my_spaces", json!({})).await;
    assert_eq!(spaces.communities.len(), 1);
    assert_eq!(spaces.communities[0].role, Role::Member);
    // Joining again is refused and keeps the link's uses.
    let (status, e) = p
        .carol
        .fails("join_invitation", json!({"code": code}))
        .await;
    assert_eq!(status, 409, "{}", e.message);
    let (status, _) = p.bob.fails("join_invitation", json!({"code": code})).await;
    assert_eq!(status, 409, "bob is in it");
    let now = list(&p.alice, c)
        .await
        .into_iter()
        .find(|l| l.id == fresh.invitation.id)
        .expect("the new link");
    assert_eq!(now.uses, 1);
    assert_eq!(
        now.joined.iter().map(|u| u.id).collect::<Vec<_>>(),
        [p.carol.id()]
    );
}
