//! Reactions: one per person per emoji, counted exactly however many react at once, at most 20
//! different emoji a message, and a reader's own found for a page of messages.

use missive::domain::*;
use missive::ports::*;

use super::*;

fn emoji(e: &str) -> Emoji {
    Emoji::parse(e).unwrap()
}

fn counts(reactions: &[Reaction]) -> Vec<(String, u32, bool)> {
    reactions.iter().map(|r| (r.emoji.to_string(), r.count, r.me)).collect()
}

async fn one_reaction_per_person_and_emoji_counted_in_first_use_order<S: ReactionStore + ?Sized>(store: &S) {
    let (t, c, m) =
        (tid("t1"), ConversationId::parse("c1").unwrap(), MessageId::parse("01KDX0000000000000000000M1").unwrap());
    let (ann, ben) = (uid("ann"), uid("ben"));
    let by = |user| ReactionKey { tenant: &t, conversation: &c, message: &m, user, at: Utc::now() };
    let set = store.set_reaction(&by(&ann), &emoji("👍"), true).await.unwrap().unwrap();
    assert!(set.changed);
    assert_eq!(counts(&set.reactions), [("👍".into(), 1, false)]);
    let again = store.set_reaction(&by(&ann), &emoji("👍"), true).await.unwrap().unwrap();
    assert!(!again.changed, "the same reaction twice counts once");
    assert_eq!(counts(&again.reactions), [("👍".into(), 1, false)]);
    store.set_reaction(&by(&ben), &emoji("🎉"), true).await.unwrap().unwrap();
    let both = store.set_reaction(&by(&ben), &emoji("👍"), true).await.unwrap().unwrap();
    assert_eq!(counts(&both.reactions), [("👍".into(), 2, false), ("🎉".into(), 1, false)], "first use first");

    let off = store.set_reaction(&by(&ann), &emoji("👍"), false).await.unwrap().unwrap();
    assert!(off.changed);
    assert_eq!(counts(&off.reactions), [("👍".into(), 1, false), ("🎉".into(), 1, false)]);
    assert!(
        !store.set_reaction(&by(&ann), &emoji("👍"), false).await.unwrap().unwrap().changed,
        "not set: nothing to take back"
    );
    let gone = store.set_reaction(&by(&ben), &emoji("🎉"), false).await.unwrap().unwrap();
    assert_eq!(counts(&gone.reactions), [("👍".into(), 1, false)], "an emoji nobody uses is gone");
}

async fn twenty_different_emoji_at_most<S: ReactionStore + ?Sized>(store: &S) {
    let (t, c, m) =
        (tid("t1"), ConversationId::parse("c1").unwrap(), MessageId::parse("01KDX0000000000000000000M2").unwrap());
    let ann = uid("ann");
    let key = ReactionKey { tenant: &t, conversation: &c, message: &m, user: &ann, at: Utc::now() };
    for i in 0..MAX_REACTIONS_PER_MESSAGE {
        let e = emoji(&format!(":e{i}:"));
        assert!(store.set_reaction(&key, &e, true).await.unwrap().is_ok(), "{i}");
    }
    assert_eq!(store.set_reaction(&key, &emoji(":one_more:"), true).await.unwrap(), Err(TooManyEmoji));
    let ben = uid("ben");
    let other = ReactionKey { user: &ben, ..key.clone() };
    let joined = store.set_reaction(&other, &emoji(":e3:"), true).await.unwrap().unwrap();
    assert_eq!(
        joined.reactions.iter().find(|r| r.emoji.as_str() == ":e3:").unwrap().count,
        2,
        "one in use is always taken"
    );
    store.set_reaction(&key, &emoji(":e0:"), false).await.unwrap().unwrap();
    assert!(store.set_reaction(&key, &emoji(":one_more:"), true).await.unwrap().is_ok(), "room again once one is gone");
}

async fn counts_stay_exact_when_many_react_at_once<S: ReactionStore + ?Sized>(store: &S) {
    let (t, c, m) =
        (tid("t1"), ConversationId::parse("c1").unwrap(), MessageId::parse("01KDX0000000000000000000M3").unwrap());
    let users: Vec<UserId> = (0..12).map(|i| uid(&format!("u{i}"))).collect();
    let reacting = users.iter().map(|u| {
        let key = ReactionKey { tenant: &t, conversation: &c, message: &m, user: u, at: Utc::now() };
        async move { store.set_reaction(&key, &emoji("❤️"), true).await.unwrap().unwrap() }
    });
    futures_util::future::join_all(reacting).await;
    let page = store.reactions_of(&t, &c, std::slice::from_ref(&m), &users[0]).await.unwrap();
    assert_eq!(counts(&page[0].1), [("❤️".into(), 12, true)]);
    let taking_back = users.iter().take(5).map(|u| {
        let key = ReactionKey { tenant: &t, conversation: &c, message: &m, user: u, at: Utc::now() };
        async move { store.set_reaction(&key, &emoji("❤️"), false).await.unwrap().unwrap() }
    });
    futures_util::future::join_all(taking_back).await;
    let page = store.reactions_of(&t, &c, std::slice::from_ref(&m), &users[0]).await.unwrap();
    assert_eq!(counts(&page[0].1), [("❤️".into(), 7, false)]);
}

async fn a_page_gets_its_reactions_and_the_reader_s_own<S: ReactionStore + ?Sized>(store: &S) {
    let (t, c) = (tid("t1"), ConversationId::parse("c2").unwrap());
    let ids: Vec<MessageId> =
        (1..=4).map(|i| MessageId::parse(format!("01KDX00000000000000000000{i}")).unwrap()).collect();
    let (ann, ben, annie) = (uid("ann"), uid("ben"), uid("annie"));
    let react = |m: &MessageId, u: &UserId, e: &str| {
        let (m, u, e) = (m.clone(), u.clone(), emoji(e));
        let (t, c) = (t.clone(), c.clone());
        async move {
            let key = ReactionKey { tenant: &t, conversation: &c, message: &m, user: &u, at: Utc::now() };
            store.set_reaction(&key, &e, true).await.unwrap().unwrap();
        }
    };
    react(&ids[0], &ann, "👍").await;
    react(&ids[0], &ben, "👍").await;
    react(&ids[2], &ben, "🇫🇷").await;
    react(&ids[2], &annie, "👩🏽‍🚒").await;
    react(&ids[3], &ann, ":party:").await;
    // Another conversation's reactions stay there.
    let elsewhere = ConversationId::parse("c3").unwrap();
    let key = ReactionKey { tenant: &t, conversation: &elsewhere, message: &ids[1], user: &ann, at: Utc::now() };
    store.set_reaction(&key, &emoji("😀"), true).await.unwrap().unwrap();

    let page = store.reactions_of(&t, &c, &ids[..3], &ann).await.unwrap();
    let shown: Vec<_> = page.iter().map(|(m, r)| (m.as_str().to_string(), counts(r))).collect();
    assert_eq!(
        shown,
        [
            (ids[0].to_string(), vec![("👍".into(), 2, true)]),
            (ids[2].to_string(), vec![("🇫🇷".into(), 1, false), ("👩🏽‍🚒".into(), 1, false)]),
        ],
        "ann's own marked; annie's (an id ann's extends) are not hers; the fourth message is outside the page"
    );
    assert!(store.reactions_of(&t, &c, &[], &ann).await.unwrap().is_empty());
    let other_tenant = store.reactions_of(&tid("t2"), &c, &ids, &ann).await.unwrap();
    assert!(other_tenant.is_empty(), "tenants are apart");

    // Everything one person made in the conversation (an erasure takes it back).
    let mut made = store.reactions_by(&t, &c, &ann).await.unwrap();
    made.sort();
    assert_eq!(made, [(ids[0].clone(), emoji("👍")), (ids[3].clone(), emoji(":party:"))], "not annie's, not c3's");
    assert!(store.reactions_by(&t, &c, &uid("nobody")).await.unwrap().is_empty());
}

conforms!(
    one_reaction_per_person_and_emoji_counted_in_first_use_order,
    twenty_different_emoji_at_most,
    counts_stay_exact_when_many_react_at_once,
    a_page_gets_its_reactions_and_the_reader_s_own
);
