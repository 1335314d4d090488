"""A small embedded English base-word list for the lemmatizer and the CL-174 experiment."""

BASE_WORDS = frozenset(
    """able act add agree allow answer appear apply argue arrive ask bake be bear beat become
    begin believe belong break bring build burn buy call care carry catch cause change charge
    check child choose clean climb close collect come compare complete connect consider contain
    continue control cook copy correct cost count cover create cross cry cut dance date decide
    deliver depend describe design destroy develop die discover discuss divide do draw dream
    dress drink drive drop dry eat enjoy enter escape examine exist expect explain fail fall
    feel fight fill find finish fit fly follow force forget form generate general give go good
    grow happen hate have hear help hide hit hold hope hurry identify imagine improve include
    increase intend introduce invent invite jump keep kill kind know laugh lead learn leave lie
    like listen live look lose love make manage mark marry matter mean measure meet move need
    note notice obtain occur offer open order organize own paint pass pay pick place plan play
    point prefer prepare present prevent produce promise protect provide pull push put rain
    reach read realize receive record reduce refer relate relation relational remain remember
    remove repeat reply report require rest return ride ring rise run save say see seem sell
    send serve set settle shake share shine shoot show shut sing sink sit sleep smile speak
    spend stand start stay steal stop study succeed suggest supply suppose surprise swim take
    talk teach tell tend test thank think throw touch train travel treat try turn understand
    use visit wait walk want warm wash watch wear win wish wonder work worry write happy easy
    busy early heavy pretty quick slow fast hard soft big small large great high low new old
    long short strong weak rich poor cat dog pony caress city country baby lady story party
    family company library berry fly cry try day boy box bus class glass kiss wish dish church
    man woman mouse foot tooth goose person bad life knife wife leaf wolf computer generalize
    nation national connection hope hopeful sad quiet""".split()
)
