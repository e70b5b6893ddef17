"""Word lists for :mod:`news_archive.names`: places, given names, titles,
organisation words and the capitalised words that are not names.

Written by hand for this project from general knowledge (no external data
set), aimed at English-language news, business news in particular. Every
entry is lower case; lookups lower-case the word first.
"""

from __future__ import annotations

from .name_identity import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(line.strip().lower() for line in text.replace(",", "\n").splitlines() if line.strip())


class _AccentsAside(frozenset):
    """Words written here without accents, found with them too (folded as names are
    matched): "josé" is in a list that holds "jose", "são paulo" in one that holds "sao paulo". A word
    of plain ASCII, nearly every word looked up, costs one set lookup."""

    __slots__ = ()

    def __contains__(self, word: object) -> bool:
        return frozenset.__contains__(self, word) or (
            isinstance(word, str) and not word.isascii() and frozenset.__contains__(self, fold(word))
        )


COUNTRIES = _words("""
Afghanistan, Albania, Algeria, Andorra, Angola, Antigua, Argentina, Armenia, Australia, Austria,
Azerbaijan, Bahamas, Bahrain, Bangladesh, Barbados, Belarus, Belgium, Belize, Benin, Bermuda, Bhutan,
Bolivia, Bosnia, Botswana, Brazil, Brunei, Bulgaria, Burkina Faso, Burma, Burundi, Cambodia, Cameroon,
Canada, Cape Verde, Chad, Chile, China, Colombia, Comoros, Congo, Costa Rica, Croatia, Cuba, Cyprus,
Czechoslovakia, Czech Republic, Denmark, Djibouti, Dominica, Dominican Republic, East Germany, Ecuador,
Egypt, El Salvador, Equatorial Guinea, Eritrea, Estonia, Ethiopia, Fiji, Finland, France, Gabon, Gambia,
Georgia, Germany, Ghana, Greece, Greenland, Grenada, Guatemala, Guinea, Guyana, Haiti, Holland, Honduras,
Hong Kong, Hungary, Iceland, India, Indonesia, Iran, Iraq, Ireland, Israel, Italy, Ivory Coast, Jamaica,
Japan, Jordan, Kazakhstan, Kenya, Kiribati, Korea, North Korea, South Korea, Kuwait, Kyrgyzstan, Laos,
Latvia, Lebanon, Lesotho, Liberia, Libya, Liechtenstein, Lithuania, Luxembourg, Macao, Madagascar,
Malawi, Malaysia, Maldives, Mali, Malta, Mauritania, Mauritius, Mexico, Moldova, Monaco, Mongolia,
Morocco, Mozambique, Myanmar, Namibia, Nauru, Nepal, Netherlands, New Zealand, Nicaragua, Niger,
Nigeria, Norway, Oman, Pakistan, Panama, Papua New Guinea, Paraguay, Peru, Philippines, Poland,
Portugal, Puerto Rico, Qatar, Romania, Russia, Rwanda, Samoa, San Marino, Saudi Arabia, Senegal,
Seychelles, Sierra Leone, Singapore, Slovakia, Slovenia, Somalia, South Africa, Soviet Union, Spain,
Sri Lanka, Sudan, Suriname, Swaziland, Sweden, Switzerland, Syria, Taiwan, Tajikistan, Tanzania,
Thailand, Togo, Tonga, Trinidad, Trinidad and Tobago, Tunisia, Turkey, Turkmenistan, Uganda, Ukraine,
United Arab Emirates, UAE, United Kingdom, U.K., U.K, UK, Britain, Great Britain, England, Scotland, Wales,
Northern Ireland, United States, U.S., U.S, US, USA, U.S.A., America, Uruguay, USSR, U.S.S.R., Uzbekistan,
Vanuatu, Vatican, Venezuela, Vietnam, West Germany, Yemen, North Yemen, South Yemen, Yugoslavia,
Zaire, Zambia, Zimbabwe, Rhodesia, Kampuchea, Ceylon, Formosa, H.K., N.Z.
""")

US_STATES = _words("""
Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, Florida, Hawaii,
Idaho, Illinois, Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine, Maryland, Massachusetts, Michigan,
Minnesota, Mississippi, Missouri, Montana, Nebraska, Nevada, New Hampshire, New Jersey, New Mexico,
New York, North Carolina, North Dakota, Ohio, Oklahoma, Oregon, Pennsylvania, Rhode Island,
South Carolina, South Dakota, Tennessee, Texas, Utah, Vermont, Virginia, Washington, West Virginia,
Wisconsin, Wyoming, District of Columbia
Ala., Ariz., Ark., Calif., Colo., Conn., Del., Fla., Ga., Ill., Ind., Kan., Kans., Ky., La., Mass.,
Md., Mich., Minn., Miss., Mo., Mont., Neb., Nev., N.H., N.J., N.M., N.Y., N.C., N.D., Okla., Ore.,
Pa., R.I., S.C., S.D., Tenn., Tex., Va., Vt., Wash., Wis., Wyo., D.C.
Alberta, British Columbia, Manitoba, New Brunswick, Newfoundland, Nova Scotia, Ontario, Quebec,
Saskatchewan, Yukon, Ont., Que., B.C.
Bavaria, Hesse, Saxony, Catalonia, Lombardy, Tuscany, Sicily, Sardinia, Corsica, Brittany, Normandy,
Flanders, Wallonia, Queensland, Tasmania, Victoria, New South Wales, Punjab, Kashmir, Bengal, Tibet,
Xinjiang, Guangdong, Manchuria, Hokkaido, Kyushu, Okinawa, Siberia, Ukraine, Kurdistan
""")

REGIONS = _words("""
Africa, Asia, Europe, North America, South America, Latin America, Central America, Antarctica,
Oceania, Middle East, Near East, Far East, Mideast, Gulf, Persian Gulf, Arabian Gulf, Gulf of Mexico,
Caribbean, Pacific, Atlantic, Mediterranean, Baltic, North Sea, Black Sea, Red Sea, Caspian,
Indian Ocean, Pacific Ocean, Atlantic Ocean, Scandinavia, Balkans, Midwest, Southeast Asia,
East Asia, South Asia, Central Asia, West Africa, East Africa, North Africa, Southern Africa,
Sub-Saharan Africa, Western Europe, Eastern Europe, Central Europe, West Bank, Gaza, Gaza Strip,
Sinai, Golan Heights, Suez Canal, Panama Canal, Strait of Hormuz, Hormuz, Amazon, Andes, Alps,
Himalayas, Sahara, Rhine, Danube, Thames, Mississippi River, Great Lakes, Wall Street, Silicon Valley,
Hollywood, Manhattan, Brooklyn, Long Island, Riviera, Patagonia, Kurdistan, Arctic, Antarctic,
New England, West Berlin, East Berlin, Pacific Northwest, Third World
""")

CITIES = _words("""
Abidjan, Abu Dhabi, Accra, Addis Ababa, Adelaide, Algiers, Amman, Amsterdam, Ankara, Antwerp, Athens,
Atlanta, Auckland, Austin, Baghdad, Bahrain, Baltimore, Bangkok, Barcelona, Basel, Beijing, Beirut,
Belfast, Belgrade, Berlin, Bern, Berne, Birmingham, Bogota, Bombay, Mumbai, Bonn, Bordeaux, Boston,
Brasilia, Bratislava, Bremen, Brisbane, Brussels, Bucharest, Budapest, Buenos Aires, Cairo, Calcutta,
Calgary, Canberra, Cape Town, Caracas, Casablanca, Charlotte, Chicago, Cincinnati, Cleveland,
Cologne, Colombo, Copenhagen, Dakar, Dallas, Damascus, Dar es Salaam, Delhi, New Delhi, Denver,
Detroit, Dhaka, Dubai, Dublin, Durban, Dusseldorf, Edinburgh, Edmonton, Frankfurt, Geneva, Genoa,
Glasgow, Gothenburg, Guangzhou, Canton, Halifax, Hamburg, Hanoi, Hanover, Harare, Havana, Helsinki,
Hiroshima, Ho Chi Minh City, Saigon, Honolulu, Houston, Indianapolis, Islamabad, Istanbul, Jakarta,
Jeddah, Jerusalem, Johannesburg, Kabul, Karachi, Kansas City, Khartoum, Kiev, Kinshasa, Kobe, Kuala
Lumpur, Kuwait City, Kyoto, Lagos, La Paz, Las Vegas, Leipzig, Lima, Lisbon, Liverpool, London,
Los Angeles, Luanda, Lugano, Lusaka, Luxembourg, Lyon, Lyons, Madrid, Managua, Manchester, Manila,
Maputo, Marseille, Marseilles, Melbourne, Memphis, Mexico City, Miami, Milan, Milwaukee, Minneapolis,
Minsk, Mogadishu, Monrovia, Montevideo, Montreal, Moscow, Munich, Muscat, Nagoya, Nairobi, Nanjing,
Naples, Nashville, New Orleans, Nice, Nicosia, Oakland, Omaha, Osaka, Oslo, Ottawa, Panama City,
Paris, Peking, Perth, Philadelphia, Phoenix, Pittsburgh, Portland, Prague, Pretoria, Quito, Rabat,
Rangoon, Reykjavik, Rio de Janeiro, Riyadh, Rome, Rotterdam, Sacramento, Salt Lake City, San Antonio,
San Diego, San Francisco, San Jose, San Juan, Santiago, Santo Domingo, Sao Paulo, Seattle, Seoul,
Shanghai, Shenzhen, Singapore, Sofia, St. Louis, St Louis, St. Petersburg, Stockholm, Strasbourg,
Stuttgart, Sydney, Taipei, Tallinn, Tampa, Tehran, Teheran, Tel Aviv, The Hague, Tianjin, Tokyo,
Toronto, Tripoli, Tunis, Turin, Vancouver, Venice, Vienna, Vilnius, Warsaw, Wellington, Winnipeg,
Yokohama, Zagreb, Zurich, Anchorage, Albany, Hartford, Dayton, Knoxville, Richmond, Columbus,
Jacksonville, Orlando, Louisville, Buffalo, Rochester, Tulsa, Oklahoma City, Fort Worth, El Paso,
Tucson, Albuquerque, Santa Ana, Santa Barbara, Santa Clara, Palo Alto, Pasadena, Long Beach,
Stamford, Greenwich, New Haven, Cambridge, Princeton, Newark, Trenton, Wilmington, Raleigh, Charleston,
Savannah, Birmingham, Mobile, Little Rock, Des Moines, Wichita, Lincoln, Boise, Spokane, Tacoma,
Anaheim, Irvine, Fresno, Bakersfield, Reno, Aspen, Quincy, Springfield, Akron, Toledo, Peoria,
Rotterdam, Zeebrugge, Le Havre, Hamilton, Kingston, Nassau, Bridgetown, Port of Spain, Georgetown,
Belo Horizonte, Recife, Valparaiso, Guayaquil, Medellin, Cali, Maracaibo, Monterrey, Guadalajara,
Tijuana, Veracruz, Chiba, Sapporo, Sendai, Fukuoka, Kawasaki, Pusan, Busan, Taejon, Kaohsiung,
Penang, Surabaya, Bandung, Madras, Chennai, Bangalore, Hyderabad, Lahore, Kuwait, Basra, Kharg,
Kharg Island, Abadan, Isfahan, Tabriz, Mosul, Kirkuk, Aden, Sanaa, Doha, Manama, Dhahran, Ras Tanura,
Yanbu, Alexandria, Suez, Port Said, Benghazi, Tangier, Oran, Lome, Cotonou, Douala, Libreville,
Brazzaville, Kampala, Kigali, Mombasa, Harare, Bulawayo, Gaborone, Windhoek, Port Elizabeth,
Antananarivo, Port Louis, Victoria, Geelong, Darwin, Hobart, Christchurch, Suva, Noumea, Vladivostok,
Leningrad, Novosibirsk, Odessa, Murmansk, Gdansk, Krakow, Dresden, Nuremberg, Mannheim, Essen,
Dortmund, Duisburg, Rouen, Lille, Toulouse, Nantes, Ghent, Liege, Utrecht, Eindhoven, Aarhus,
Bergen, Malmo, Uppsala, Tampere, Turku, Porto, Oporto, Seville, Valencia, Bilbao, Palermo, Florence,
Bologna, Trieste, Salzburg, Innsbruck, Graz, Lausanne, Lucerne, Piraeus, Thessaloniki, Izmir, Haifa,
Eilat, Ramallah, Aqaba, Latakia, Tartus, Aleppo, Homs, Tyre, Sidon
""")

PLACES = _AccentsAside(COUNTRIES | US_STATES | REGIONS | CITIES)

# Adjectives of nationality, region and creed: capitalised but not names.
DEMONYMS = _words("""
Afghan, African, Albanian, Algerian, American, Angolan, Arab, Arabian, Argentine, Argentinian,
Armenian, Asian, Australian, Austrian, Bahraini, Bangladeshi, Belgian, Bolivian, Brazilian, British,
Bulgarian, Burmese, Cambodian, Cameroonian, Canadian, Caribbean, Chilean, Chinese, Colombian,
Congolese, Cuban, Cypriot, Czech, Danish, Dutch, Ecuadorean, Ecuadorian, Egyptian, English, Ethiopian,
European, Filipino, Finnish, French, Gabonese, German, Ghanaian, Greek, Guatemalan, Haitian,
Honduran, Hungarian, Icelandic, Indian, Indonesian, Iranian, Iraqi, Irish, Israeli, Italian, Ivorian,
Jamaican, Japanese, Jordanian, Kenyan, Korean, Kuwaiti, Lebanese, Liberian, Libyan, Lithuanian,
Malaysian, Maltese, Mexican, Moroccan, Mozambican, Namibian, Nepalese, Nicaraguan, Nigerian, Nordic,
Norwegian, Omani, Pakistani, Palestinian, Panamanian, Paraguayan, Persian, Peruvian, Philippine,
Polish, Portuguese, Qatari, Romanian, Russian, Rwandan, Saudi, Scandinavian, Scottish, Senegalese,
Serbian, Singaporean, Slovak, Somali, Soviet, Spanish, Sri Lankan, Sudanese, Swedish, Swiss, Syrian,
Taiwanese, Tanzanian, Thai, Tunisian, Turkish, Ugandan, Ukrainian, Uruguayan, Venezuelan,
Vietnamese, Welsh, Yemeni, Yugoslav, Zairean, Zambian, Zimbabwean, Western, Eastern, Northern,
Southern, Central, Latin, Hispanic, Anglo, Islamic, Muslim, Moslem, Christian, Catholic, Protestant,
Jewish, Hindu, Buddhist, Sunni, Shi'ite, Shiite, Communist, Socialist, Marxist, Gaullist, Kurdish,
Sikh, Tamil, Basque, Flemish, Walloon, Bavarian, Texan, Californian, Alaskan, Floridian, Gulf
""")

# Titles written before a person's name: "President Peter Donis".
PERSON_TITLES = _words("""
Mr, Mr., Mrs, Mrs., Ms, Ms., Miss, Dr, Dr., Prof, Prof., Professor, Sir, Dame, Lord, Lady, Baron,
Baroness, Count, Countess, Duke, Duchess, President, Vice-President, Chairman, Chairwoman, Chairperson,
Secretary, Undersecretary, Under-Secretary, Secretary-General, Assistant, Minister, Premier, Chancellor, Senator, Sen, Sen., Rep, Rep., Representative, Congressman,
Congresswoman, Gov, Gov., Governor, Mayor, Judge, Justice, General, Gen, Gen., Col, Col., Colonel,
Capt, Capt., Captain, Lt, Lt., Lieutenant, Sgt, Sgt., Sergeant, Admiral, Adm., Commander, Marshal,
Major, King, Queen, Prince, Princess, Emperor, Empress, Sultan, Emir, Sheikh, Shaikh, Ayatollah,
Pope, Cardinal, Archbishop, Bishop, Rev, Rev., Reverend, Father, Sister, Rabbi, Imam, Commissioner,
Director, Ambassador, Envoy, Treasurer, Comptroller, Attorney, Counsel, Speaker, Leader, Spokesman,
Spokeswoman, Deputy, Chief, Executive, Officer, Manager, Analyst, Economist, Coach, Detective,
Inspector, Superintendent, Sheriff, Officer, Trooper, Delegate, Councillor, Councilman, Alderman
""")

# Lower-case words that, just before a capitalised name, say it is a person:
# "vice minister Makoto Kuroda", "husband Dillon Passage".
PERSON_ROLES = _words("""
minister, president, chairman, chairwoman, secretary, spokesman, spokeswoman, spokesperson, director,
analyst, economist, official, executive, officer, manager, governor, husband, wife, son, daughter,
brother, sister, father, mother, uncle, aunt, cousin, grandson, granddaughter, boyfriend, girlfriend,
fiance, fiancee, partner, star, singer, actor, actress, rapper, musician, artist, writer, author,
novelist, poet, journalist, reporter, columnist, editor, publisher, attorney, lawyer, judge, head,
chief, leader, founder, owner, trader, dealer, broker, banker, representative, commissioner,
ambassador, senator, treasurer, player, coach, captain, player, striker, pitcher, quarterback,
colleague, friend, rival, candidate, nominee, challenger, incumbent, premier, chancellor, king,
queen, prince, princess, mayor, deputy, strategist, consultant, adviser, advisor, aide, counsel,
negotiator, envoy, delegate, professor, scientist, researcher, doctor, surgeon, founder, heir,
billionaire, millionaire, tycoon, magnate, investor, financier, entrepreneur, designer, producer,
director, comedian, host, anchor, presenter, dancer, model, athlete, champion, boxer, golfer, lawmaker,
legislator, congressman, congresswoman, mr, mrs, ms, dr, undersecretary, administrator, member,
former, veteran, resident, native, accountant, businessman, businesswoman, industrialist
""")

# Words that end an organisation's name: "Acme Widgets Inc".
ORG_SUFFIXES = _words("""
Inc, Inc., Incorporated, Corp, Corp., Corporation, Co, Co., Company, Cos, Companies, Ltd, Ltd.,
Limited, Plc, PLC, LLC, L.L.C., LLP, LP, L.P., N.V., NV, S.A., SA, AG, A.G., GmbH, SpA, S.p.A., Bhd,
Berhad, Pty, AB, ASA, A/S, Oy, KK, K.K., SE, Bancorp, Bancorporation, Bankcorp, Bancshares, Group,
Holdings, Holding, Associates, Partners, Partnership, Brothers, Bros, Bros., Trust, Trusts,
Industries, Enterprises, Systems, Technologies, Technology, Electronics, Computers, Airlines,
Airways, Motors, Petroleum, Resources, Mines, Mining, Minerals, Energy, Savings, Securities,
Financial, Capital, Investments, Investors, Communications, Telecommunications, Foods, Stores,
Markets, Laboratories, Labs, Pharmaceuticals, Chemicals, Chemical, Steel, Oil, Gas, Insurance,
Realty, Properties, Entertainment, Media, Publishing, Bank, Bankers, Utilities, Power, Electric,
Railroad, Railway, Railways, Shipping, Lines, Products, Manufacturing, Instruments, Semiconductor,
Software, Services, Service, Fund, Funds, Exchange, Institute, Association, Council, Commission,
Committee, Agency, Board, Authority, Organization, Organisation, Federation, Foundation, Society,
Union, Party, Ministry, Department, Court, Reserve, Treasury, Community, Office, Bureau, Workers,
Assembly, Administration, Agreement, Facility, Conference, Congress, Senate, Parliament, House,
University, College, Hospital, Church, Club, League, Force, Army, Navy, Police, Guard, Times, Journal,
Post, News, Herald, Tribune, Gazette, Shimbun, Press, Radio, Television, Network, Broadcasting,
Studios, Pictures, Records, Magazine, Review, Monitor, Daily, Weekly, Telegraph, Cooperative,
Co-operative, Syndicate, Consortium, Cartel, Alliance, Coalition, Front, Movement, Secretariat,
Cabinet, Government, Legislature, Diet, Commons, Lords, Directorate, Inspectorate, Tribunal,
Airport, Port, Exchequer, Institution, Center, Centre, Clinic, School, Museum, Library, Laboratory,
Academy, Observatory, Ministries, Authorities, Chamber, Chambers
""")

# Organisations whose names join two words with "and" and need no legal form,
# which the rules would otherwise split into two names ("Standard and Poor's
# said"): the most frequent such runs in Reuters-21578, and a few household
# names of the same shape.
ORG_NAMES = _words("""
Standard and Poor's, Cable and Wireless, Duff and Phelps, Gulf and Western, Wagner and Brown,
Harper and Row, Procter and Gamble, Johnson and Johnson, Marks and Spencer, Dun and Bradstreet,
Black and Decker, Bausch and Lomb, Ernst and Whinney, Brown and Root, Simon and Schuster,
Barnes and Noble, Smith and Nephew, Moody's, Lloyd's
""") | _words("""
Dean Witter, James Capel, Credit Suisse, Edward D. Jones, Sanford C. Bernstein, Aubrey G. Lanston,
Cyrus J. Lawrence, Arthur Andersen, Arthur Young, Charles Schwab, E.F. Hutton, L.F. Rothschild,
J.P. Morgan, A.G. Edwards, S.G. Warburg, W.R. Grace, Walt Disney, Levi Strauss, Price Waterhouse,
Peat Marwick, Touche Ross, Morgan Grenfell, Samuel Montagu, Kleinwort Benson, Lazard Freres,
Paine Webber, Thomson McKinnon, Shearson Lehman, Smith Barney, Morgan Stanley, Merrill Lynch,
Goldman Sachs, Kidder Peabody, Bear Stearns, Dillon Read, Salomon Brothers, Drexel Burnham Lambert
""")  # and firms named after people, which the rules would take for people ("Dean Witter analyst ...")

# Organisations known by one word, however capitalised ("Opec"), that the rules could take for a
# person when a role word or "officials" is near ("senior USDA officials", "the Bundesbank chief"):
# never people. Acronyms in capitals (not places) are never people anyway.
ORG_WORDS = _words("""
OPEC, OECD, GATT, USDA, NATO, IMF, SEC, FDIC, FHLBB, CFTC, ICO, ITC, EEC, ASEAN, COMECON, UNCTAD,
Bundesbank, Citibank, Volksbank, Kredietbank, Bundestag, Fed, Nasdaq, Comex, Nymex, Liffe, Matif,
Petrobras, Pemex, Aramco, Petronas, Sonatrach, Keidanren, Politburo
""")

# Words that end a place's name: "Bay of Plenty", "North Island".
PLACE_SUFFIXES = _words("""
Bay, Island, Islands, Isle, Lake, River, Mountain, Mountains, Valley, Park, Sea, Ocean, Strait,
Straits, Gulf, Canal, Peninsula, Coast, Desert, Province, County, Basin, Delta, Plain, Plains,
Heights, Hills, Springs, Falls, Beach, Harbor, Harbour, Cape, Mount, Mt., Forest, Reef, Field
""")

# Words that start an organisation's name: "Bank of Japan", "Ministry of ...".
ORG_HEADS = _words("""
Bank, Ministry, Department, Commission, Council, Committee, Association, Institute, University,
Federation, Organization, Organisation, Agency, Board, Bureau, Office, Court, Union, League,
Society, Fund, Federal, National, International, Royal, Imperial, First, General, Chamber
""")

# Capitalised words that are never a name on their own.
NOT_NAMES = _words("""
I, A, An, The, This, That, These, Those, He, She, It, They, We, You, His, Her, Its, Their, Our, My,
Your, There, Here, In, On, At, By, For, From, With, Without, To, Of, As, After, Before, During, Since,
Until, Till, While, Whilst, When, Where, What, Which, Who, Whom, Whose, Why, How, If, Unless, But, And,
Or, Nor, So, Yet, Although, Though, Because, Despite, However, Thus, Also, Meanwhile, Moreover,
Furthermore, Nevertheless, Nonetheless, Still, Even, Only, Just, Now, Then, Today, Yesterday,
Tomorrow, Tonight, Last, Next, First, Second, Third, Fourth, Fifth, Some, Many, Most, More, Few,
Several, All, Any, Each, Every, Both, Either, Neither, No, Not, None, One, Two, Three, Four, Five,
Six, Seven, Eight, Nine, Ten, Eleven, Twelve, Under, Over, Among, Amongst, Between, About, Above,
Below, Against, Into, Onto, Through, Throughout, Across, Around, Along, Following, According,
Including, Excluding, Asked, Earlier, Later, Once, Ironically, Other, Another, Such, Like, Unlike,
Instead, Otherwise, Per, Via, Did, Does, Do, Is, Are, Was, Were, Be, Been, Being, Has, Have, Had, Will,
Would, Can, Could, Should, May, Might, Must, Shall, Let, Please, Yes, Well, Oh, Dear, Hi, Hello,
Thanks, Thank, Again, Already, Always, Never, Often, Sometimes, Perhaps, Maybe, Indeed, Overall,
Altogether, Currently, Recently, Previously, Finally, Initially, Eventually, Separately,
Similarly, Additionally, Consequently, Accordingly, Therefore, Hence, Besides, Likewise, Rather,
Almost, Nearly, Nor, Whether, Whereas, Wherever, Whenever, Whatever, Whoever, Within, Beyond,
Beside, Behind, Beneath, Toward, Towards, Upon, Off, Out, Up, Down, Near, Except, Regarding,
Concerning, Considering, Given, Assuming, Provided, Totaling, Totalling, Excluding, Pending,
Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday, January, February, March, April,
June, July, August, September, October, November, December, Jan, Feb, Mar, Apr, Jun, Jul, Aug, Sep,
Sept, Oct, Nov, Dec, Mon, Tue, Tues, Wed, Thu, Thurs, Fri, Sat, Sun, Christmas, Easter,
GMT, EST, EDT, CST, CDT, PST, PDT, BST, CET, UTC, AM, PM, A.M., P.M., TV, OK, CEO, CFO, COO, PC, PCs,
II, III, IV, VI, VII, VIII, IX, XI, XII, Reuter, Reuters, REUTER, Note, NOTE, Shr, Shrs, Net, Revs,
Rev, Avg, Qtr, Qtly, Div, Pay, Record, Mths, Oper, Dlrs, Dlr, Mln, Pct, Cts, Vs, Sales, Year,
Period, Loss, Profit, Income, Earnings, Turnover, Tax, Total, Mr, Mrs, Ms, Dr, Co, Inc, Corp, Ltd,
Company, Group, Corporation, Chapter, Section, Article, Rule, Item, Schedule, Phase, Class, Series,
Tier, Stage, Part, Exhibit, Appendix, MW, KW, GW, BPD, DWT, Months, Weeks, Days, Years, Quarter, Quarters, Half,
GNP, GDP, ECU, ECUs, AAA, AA, BBB, FOB, CDs, Treasuries, Eurodollar, Eurodollars, AIDS, LIBOR, Libor, PPI, WTI
""") - frozenset({"reuters"})

class _GivenNames(_AccentsAside):
    """Given names, and the hyphenated ones that begin with one of those that often begin one:
    "Hans-Dietrich", "Jean-Claude", "Karl-Heinz" (their second halves are too many to list). Not
    any given name before a hyphen: "Allen-Bradley" is a firm, "April-June" a quarter."""

    __slots__ = ()

    def __contains__(self, word: object) -> bool:
        if frozenset.__contains__(self, word):
            return True  # most words looked up: one set lookup, as for _AccentsAside
        if not isinstance(word, str):
            return False
        if not word.isascii() and frozenset.__contains__(self, fold(word)):
            return True
        if "-" not in word:
            return False
        first, _, second = word.partition("-")
        return len(second) > 1 and second.isalpha() and _AccentsAside.__contains__(_HYPHENATED_FIRST, first)


# Given names that begin hyphenated given names.
_HYPHENATED_FIRST = _AccentsAside(_words("""
Jean, Hans, Karl, Klaus, Franz, Ernst, Marie, Anne, Pierre, Jose, Juan, Maria, Abdul, Abdel, Mohammad,
Mohammed
"""))


# Lower-cased given names, for telling a person ("Dillon Passage") from an
# organisation ("Computer Terminal") when nothing else does.
GIVEN_NAMES = _GivenNames(_words("""
Aaron, Abdul, Abdullah, Abraham, Adam, Adolfo, Adrian, Adriana, Agnes, Ahmad, Ahmed, Akihiko, Akio,
Alain, Alan, Albert, Alberto, Alejandro, Alex, Alexander, Alexandra, Alexandre, Alexei, Alfonso,
Alfred, Alfredo, Ali, Alice, Alicia, Alison, Allan, Allen, Amanda, Amy, Ana, Anatoly, Anders, Andre,
Andrea, Andreas, Andrei, Andrew, Andy, Angel, Angela, Angelo, Anita, Ann, Anna, Anne, Annie, Anthony,
Antoine, Anton, Antonio, April, Arnold, Arthur, Arturo, Ashley, Audrey, Augusto, Barbara, Barry, Beatrice,
Ben, Benjamin, Bernard, Bernd, Bernhard, Bert, Beth, Betty, Bill, Billy, Bob, Bobby, Boris, Brad,
Bradley, Brandon, Brenda, Brian, Bruce, Bruno, Bryan, Carl, Carla, Carlo, Carlos, Carol, Carole,
Caroline, Carolyn, Carter, Catherine, Cecil, Charles, Charlie, Charlotte, Chen, Cheryl, Chris,
Christian, Christina, Christine, Christopher, Christophe, Chuck, Cindy, Clara, Claude, Claudia,
Clayton, Clifford, Clint, Colin, Connie, Craig, Cynthia, Dale, Dan, Daniel, Daniela, Danny, Dario,
Darrell, Dave, David, Dean, Debbie, Deborah, Denis, Dennis, Derek, Diana, Diane, Dick, Diego,
Dieter, Dillon, Dmitri, Dominique, Don, Donald, Donna, Doris, Dorothy, Doug, Douglas, Duane,
Dwight, Earl, Ed, Eddie, Edgar, Eduardo, Edward, Edwin, Eileen, Elaine, Eleanor, Elizabeth, Ellen,
Emil, Emily, Emma, Enrique, Eric, Erich, Erik, Ernest, Ernesto, Ernst, Ethel, Eugene, Eva, Evelyn,
Fernando, Fidel, Florence, Frances, Francesco, Francis, Francisco, Franco, Francois, Frank, Franz,
Fred, Frederick, Friedrich, Fritz, Fumio, Gabriel, Gail, Gary, Gene, Geoffrey, George, Georges,
Gerald, Gerard, Gerhard, Giovanni, Giulio, Giuseppe, Glen, Glenn, Gloria, Gordon, Grace, Graham,
Greg, Gregory, Guido, Gunter, Gustavo, Guy, Hajime, Hans, Harold, Harriet, Harry, Hassan, Heather,
Heinz, Helen, Helmut, Henri, Henry, Herbert, Herman, Hermann, Hideo, Hiroshi, Hisashi, Horst,
Howard, Hugh, Hugo, Hussein, Ian, Ibrahim, Igor, Ingrid, Irene, Irving, Isaac, Ivan, Jack, Jackie,
Jacob, Jacqueline, Jacques, Jaime, James, Jamie, Jan, Jane, Janet, Janice, Jason, Javier, Jean,
Jeanne, Jeff, Jeffrey, Jennifer, Jeremy, Jerome, Jerry, Jesse, Jessica, Jesus, Jill, Jim, Jimmy,
Joan, Joanne, Joe, Joel, Johann, Johannes, John, Johnny, Jon, Jonathan, Jorge, Jose, Josef, Joseph,
Josh, Joshua, Joyce, Juan, Judith, Judy, Jules, Julia, Julian, Julie, Julio, Julius, Jurgen,
Justin, Karen, Karl, Kate, Katherine, Kathleen, Kathy, Kazuo, Keiichi, Keith, Kelly, Ken, Kenji,
Kenneth, Kent, Kevin, Khalid, Kiichi, Kim, Klaus, Koji, Kurt, Kyle, Larry, Laura, Lawrence, Lee,
Leo, Leon, Leonard, Leonid, Leslie, Lewis, Linda, Lisa, Lloyd, Lois, Lorenzo, Lori, Louis, Louise,
Lucas, Luis, Luigi, Luiz, Luke, Lynn, Makoto, Manfred, Manuel, Marc, Marcel, Marco, Margaret,
Maria, Marie, Marilyn, Mario, Marion, Mark, Marshall, Martha, Martin, Marvin, Mary, Masaaki,
Masahiro, Masao, Mathias, Matt, Matthew, Maurice, Max, Melissa, Michael, Michel, Michele, Michelle,
Miguel, Mikhail, Mike, Milton, Mitchell, Mohamed, Mohammad, Mohammed, Monica, Muhammad, Murray,
Nancy, Naoki, Natalie, Nathan, Neil, Nelson, Nicholas, Nick, Nicolas, Nigel, Nikolai, Noboru,
Noriko, Norman, Olga, Oliver, Omar, Oscar, Otto, Pablo, Pamela, Paolo, Pat, Patricia, Patrick, Paul,
Paula, Pedro, Peggy, Penny, Peter, Phil, Philip, Philippe, Phillip, Pierre, Pieter, Rachel,
Rafael, Ralph, Ramon, Randall, Randy, Ray, Raymond, Rebecca, Reginald, Reiner, Rene, Ricardo,
Richard, Rick, Rita, Rob, Robert, Roberto, Robin, Rodney, Roger, Roland, Rolf, Ron, Ronald, Rose,
Ross, Roy, Ruby, Rudolf, Russell, Ruth, Ryan, Ryutaro, Sally, Salvatore, Sam, Samuel, Sandra,
Sara, Sarah, Satoshi, Scott, Sean, Sergei, Sergio, Seth, Sharon, Shirley, Shigeru, Shintaro,
Sidney, Simon, Stanley, Stefan, Stephanie, Stephen, Steve, Steven, Stuart, Sue, Susan, Suzanne,
Sven, Takashi, Takeshi, Tamara, Tara, Ted, Teresa, Terry, Theodore, Thierry, Thomas, Tim, Timothy,
Toby, Todd, Tom, Tomas, Tommy, Toni, Tony, Toshio, Tracy, Travis, Ulrich, Ursula, Valerie, Vernon,
Victor, Vincent, Virginia, Vladimir, Walter, Wayne, Wendy, Werner, Wilhelm, Will, William, Willie,
Willy, Wolfgang, Yasuhiro, Yasushi, Yitzhak, Yoshio, Yuri, Yves, Zbigniew,
Bjorn, Emile, Jens, Jiri, Lars, Lech, Nils, Olaf, Pavel, Soren, Vaclav, Zoe
"""))

# Given names of women, and those of GIVEN_NAMES given to women and men alike (or a man's in one
# language and a woman's in another: "Andrea", "Jean"); the others of GIVEN_NAMES are men's. Only
# for telling "Mrs. Dole" (Elizabeth Dole) from "Mr. Dole" (Robert Dole) in an article that names
# both: a name in neither list says nothing.
WOMEN_GIVEN_NAMES = _AccentsAside(_words("""
Adriana, Agnes, Alexandra, Alice, Alicia, Alison, Amanda, Amy, Ana, Angela, Anita, Ann, Anna, Anne, Annie,
April, Audrey, Barbara, Beatrice, Benazir, Beth, Betty, Brenda, Carla, Carole, Caroline, Carolyn, Catherine,
Charlotte, Cheryl, Christina, Christine, Cindy, Clara, Claudia, Connie, Corazon, Cynthia, Daniela, Debbie,
Deborah, Diana, Diane, Donna, Doris, Dorothy, Eileen, Elaine, Eleanor, Elizabeth, Ellen, Emily, Emma, Ethel,
Eva, Evelyn, Florence, Frances, Gail, Gloria, Grace, Harriet, Heather, Helen, Hillary, Imelda, Indira,
Ingrid, Irene, Jacqueline, Jane, Janet, Janice, Jeanne, Jennifer, Jessica, Jill, Joan, Joanne, Joyce,
Judith, Judy, Julia, Julie, Karen, Kate, Katherine, Kathleen, Kathy, Laura, Linda, Lisa, Liz, Lois, Lori,
Louise, Margaret, Maria, Marie, Marilyn, Martha, Mary, Melissa, Michelle, Monica, Nancy, Natalie, Noriko,
Olga, Pamela, Patricia, Paula, Peggy, Penny, Rachel, Raisa, Rebecca, Rita, Rose, Ruby, Ruth, Sally, Sandra,
Sara, Sarah, Sharon, Shirley, Stephanie, Sue, Susan, Suzanne, Tamara, Tara, Teresa, Ursula, Valerie,
Virginia, Wendy, Zoe
"""))
GIVEN_NAMES_OF_BOTH = _AccentsAside(_words("""
Alex, Andrea, Angel, Ashley, Carol, Chris, Claude, Dale, Dominique, Francis, Gene, Jackie, Jamie, Jan, Jean,
Kelly, Kim, Lee, Leslie, Lynn, Marion, Michele, Pat, Rene, Robin, Sam, Terry, Toby, Toni, Tracy
"""))

# Surnames of people the news names by surname alone, written from general knowledge: heads of state
# and government, ministers, central bankers and other officials, from the 1980s to now. One of these
# words alone is a person ("Reagan would address the nation", "He said Reagan rejected it"), even at
# the start of a sentence, where an unknown capitalised word is not taken for a name. Not words that
# are also common ones ("Bush", "Major", "Brown", "Ford", "Summers") nor given names ("Carter").
KNOWN_SURNAMES = _AccentsAside(_words("""
Reagan, Nixon, Clinton, Obama, Trump, Biden, Quayle, Pence, Gore, Cheney, Mondale, Dukakis, Kennedy, Dole,
Gephardt, Rostenkowski, Bentsen, Byrd, Proxmire, Baker, Shultz, Weinberger, Meese, Poindexter, Fitzwater,
Baldrige, Yeutter, Lyng, Herrington, Darman, Mosbacher, Volcker, Greenspan, Bernanke, Yellen, Geithner,
Paulson, Mnuchin, Rubin, Sprinkel, Mulford, Conable, Camdessus, Delors, Andriessen, Thatcher, Lawson, Howe,
Heseltine, Blair, Cameron, Kohl, Genscher, Stoltenberg, Poehl, Tietmeyer, Schlesinger, Bangemann, Merkel,
Scholz, Mitterrand, Chirac, Balladur, Sarkozy, Hollande, Macron, Trichet, Lagarde, Draghi, Duisenberg,
Juncker, Prodi, Berlusconi, Craxi, Andreotti, Goria, Papandreou, Lubbers, Ruding, Martens, Eyskens, Gonzalez,
Nakasone, Takeshita, Miyazawa, Sumita, Mieno, Kuroda, Tamura, Koizumi, Gorbachev, Yeltsin, Putin, Medvedev,
Shevardnadze, Ryzhkov, Zelensky, Deng, Mulroney, Trudeau, Hawke, Keating, Aquino, Marcos, Ongpin, Suharto,
Subroto, Mahathir, Sarney, Funaro, Lula, Bolsonaro, Alfonsin, Sourrouille, Menem, Kirchner, Garcia, Pinochet,
Castro, Chavez, Noriega, Mubarak, Sadat, Khomeini, Rafsanjani, Khamenei, Gaddafi, Gadaffi, Qaddafi, Arafat,
Peres, Shamir, Netanyahu, Botha, Mandela, Mugabe, Kaunda, Moi, Ozal, Erdogan, Modi, Gandhi, Yamani, Nazer,
Lukman
"""))

# Titles that are also surnames: "Major said" counts for John Major in an article that names him,
# and names nobody otherwise.
TITLE_SURNAMES = _words("""
Major, King, Bishop, Judge, Marshal, Baron, Lord, Pope, Speaker, Sheriff
""")

# The usual short forms of given names, as the news writes one person both ways ("Dick Darman" and
# "Richard Darman", "Tom Hockin" and "Thomas Hockin"): short form -> the given name.
NICKNAMES = {short: full for full, shorts in (line.split(":") for line in """
richard: dick rick rich
robert: bob bobby rob
william: bill billy will willy
james: jim jimmy jamie
thomas: tom tommy
michael: mike
edward: ed ted eddie
joseph: joe
daniel: dan danny
david: dave
steven: steve stephen
anthony: tony
christopher: chris
andrew: andy
ronald: ron
donald: don
gerald: jerry
lawrence: larry
kenneth: ken
samuel: sam
benjamin: ben
frederick: fred
charles: chuck charlie
nicholas: nick
matthew: matt
timothy: tim
gregory: greg
jeffrey: jeff
douglas: doug
philip: phil
elizabeth: liz beth
patricia: pat
katherine: kathy kate
susan: sue
margaret: peggy maggie
""".strip().splitlines()) for short in shorts.split()}
