#include "ibr/matching/name_lists.h"

#include <array>

namespace registrar::ibr::matching {
namespace {

using L = std::string_view;

// East Africa (Latin script).
constexpr std::array<L, 20> kEaFemale = {"Amina",    "Wanjiru", "Achieng", "Nafula", "Akinyi",
                                         "Zawadi",   "Neema",   "Halima",  "Grace",  "Mercy",
                                         "Nyambura", "Atieno",  "Chebet",  "Wambui", "Faith",
                                         "Imani",    "Njeri",   "Auma",    "Rehema", "Mwanaisha"};
constexpr std::array<L, 20> kEaMale = {"Otieno",  "Kamau",    "Mwangi",  "Baraka",   "Juma",
                                       "Omondi",  "Kipchoge", "Wekesa",  "Musa",     "Daniel",
                                       "Kiprop",  "Onyango",  "Njoroge", "Mutua",    "Hamisi",
                                       "Ochieng", "Kibet",    "Barasa",  "Emmanuel", "Wafula"};
constexpr std::array<L, 24> kEaFamily = {
    "Otieno",    "Kamau",    "Mwangi",  "Wanjala", "Njoroge", "Kiprono", "Odhiambo", "Mutua",
    "Chebet",    "Wafula",   "Kariuki", "Ndungu",  "Onyango", "Kimani",  "Macharia", "Owino",
    "Cheruiyot", "Nyongesa", "Maina",   "Omollo",  "Rotich",  "Muriuki", "Ouma",     "Korir"};

// Latin America (Latin script with accents; the accent-less spelling is the variant).
constexpr std::array<L, 20> kLaFemale = {"María|Maria",     "Lucía|Lucia",
                                         "Sofía|Sofia",     "Inés|Ines",
                                         "Ximena|Jimena",   "Valentina",
                                         "Beatriz|Beatris", "Marisol",
                                         "Raquel",          "Camila",
                                         "Guadalupe",       "Mónica|Monica",
                                         "Rocío|Rocio",     "Verónica|Veronica",
                                         "Julieta",         "Daniela",
                                         "Paola",           "Andrea",
                                         "Lorena",          "Ángela|Angela"};
constexpr std::array<L, 20> kLaMale = {"José|Jose",       "Andrés|Andres", "Tomás|Tomas",
                                       "Joaquín|Joaquin", "Iván|Ivan",     "Héctor|Hector",
                                       "Julián|Julian",   "Rubén|Ruben",   "Martín|Martin",
                                       "Óscar|Oscar",     "Luis",          "Santiago",
                                       "Mateo",           "Diego",         "Alejandro",
                                       "Fernando",        "Ramón|Ramon",   "Sebastián|Sebastian",
                                       "Gonzalo",         "Emilio"};
constexpr std::array<L, 24> kLaFamily = {"García|Garcia",
                                         "Pérez|Perez",
                                         "Núñez|Nunez",
                                         "Muñoz|Munoz",
                                         "Rodríguez|Rodriguez",
                                         "Hernández|Hernandez",
                                         "Gómez|Gomez",
                                         "Díaz|Diaz",
                                         "Álvarez|Alvarez",
                                         "Peña|Pena",
                                         "Ibáñez|Ibanez",
                                         "Suárez|Suarez",
                                         "Morales",
                                         "Castillo",
                                         "Vargas",
                                         "Romero",
                                         "Herrera",
                                         "Medina",
                                         "Aguilar",
                                         "Ríos|Rios",
                                         "Salazar",
                                         "Mendoza",
                                         "Ortega",
                                         "Cruz"};

// Arabic (Arabic script; Latin spellings as variants).
constexpr std::array<L, 16> kArFemale = {
    "فاطمة|Fatima|Fatma",     "عائشة|Aisha|Aicha", "مريم|Maryam|Mariam", "زينب|Zainab|Zeinab",
    "خديجة|Khadija|Khadidja", "ليلى|Layla|Leila",  "نور|Nour|Noor",      "سارة|Sara|Sarah",
    "هدى|Huda|Houda",         "سلمى|Salma|Selma",  "أمينة|Amina|Aminah", "رانيا|Rania",
    "ياسمين|Yasmin|Yasmine",  "دينا|Dina",         "منى|Mona|Muna",      "رشا|Rasha"};
constexpr std::array<L, 16> kArMale = {"محمد|Mohammed|Muhammad|Mohamed",
                                       "أحمد|Ahmed|Ahmad",
                                       "حسن|Hassan|Hasan",
                                       "عمر|Omar|Umar",
                                       "يوسف|Youssef|Yusuf",
                                       "خالد|Khaled|Khalid",
                                       "إبراهيم|Ibrahim|Ebrahim",
                                       "سعيد|Said|Saeed",
                                       "مصطفى|Mustafa|Moustafa",
                                       "طارق|Tarek|Tariq",
                                       "كريم|Karim|Kareem",
                                       "سامي|Sami|Samy",
                                       "ماجد|Majed|Majid",
                                       "حمزة|Hamza|Hamzah",
                                       "عادل|Adel|Adil",
                                       "نبيل|Nabil|Nabeel"};
constexpr std::array<L, 20> kArFamily = {"حداد|Haddad",          "منصور|Mansour|Mansur",
                                         "خليل|Khalil",          "سليمان|Suleiman|Sulaiman",
                                         "عباس|Abbas",           "ناصر|Nasser|Nasir",
                                         "صالح|Saleh|Salih",     "حمدان|Hamdan",
                                         "قاسم|Kassem|Qasim",    "العمري|Al-Omari|Alomari",
                                         "الزين|Al-Zein|Elzein", "شريف|Sharif|Cherif",
                                         "نجار|Najjar",          "بكري|Bakri|Bakry",
                                         "حجازي|Hijazi|Hegazy",  "فارس|Fares|Faris",
                                         "جابر|Jaber|Jabir",     "رحمن|Rahman",
                                         "عيسى|Issa|Eissa",      "مراد|Murad|Mourad"};

// Ukraine / Russia (Cyrillic; romanisations as variants).
constexpr std::array<L, 16> kCyFemale = {"Мария|Maria|Mariya",
                                         "Анна|Anna",
                                         "Елена|Elena|Yelena",
                                         "Ольга|Olga|Olha",
                                         "Наталья|Natalia|Natalya",
                                         "Татьяна|Tatiana|Tatyana",
                                         "Ирина|Irina|Iryna",
                                         "Светлана|Svetlana",
                                         "Оксана|Oksana",
                                         "Юлия|Yulia|Iuliia",
                                         "Екатерина|Ekaterina|Kateryna",
                                         "Галина|Galina|Halyna",
                                         "Людмила|Lyudmila|Liudmyla",
                                         "Вера|Vera",
                                         "Дарья|Daria|Darya",
                                         "Софія|Sofia|Sofiia"};
constexpr std::array<L, 16> kCyMale = {"Иван|Ivan",
                                       "Сергей|Sergei|Sergey",
                                       "Алексей|Alexei|Aleksey",
                                       "Дмитрий|Dmitri|Dmitry",
                                       "Николай|Nikolai|Nikolay",
                                       "Андрей|Andrei|Andriy",
                                       "Олег|Oleg|Oleh",
                                       "Павел|Pavel|Pavlo",
                                       "Виктор|Viktor|Victor",
                                       "Юрий|Yuri|Yuriy",
                                       "Михаил|Mikhail|Mykhailo",
                                       "Богдан|Bohdan|Bogdan",
                                       "Тарас|Taras",
                                       "Владимир|Vladimir|Volodymyr",
                                       "Григорий|Grigory|Hryhorii",
                                       "Василий|Vasily|Vasyl"};
constexpr std::array<L, 20> kCyFamily = {"Шевченко|Shevchenko",
                                         "Коваленко|Kovalenko",
                                         "Бондаренко|Bondarenko",
                                         "Ткаченко|Tkachenko",
                                         "Кравченко|Kravchenko",
                                         "Олійник|Oliinyk|Oleynik",
                                         "Мельник|Melnyk|Melnik",
                                         "Лысенко|Lysenko|Lisenko",
                                         "Руденко|Rudenko",
                                         "Марченко|Marchenko",
                                         "Савченко|Savchenko",
                                         "Петренко|Petrenko",
                                         "Кузьменко|Kuzmenko",
                                         "Павленко|Pavlenko",
                                         "Бойко|Boyko|Boiko",
                                         "Мороз|Moroz",
                                         "Поліщук|Polishchuk",
                                         "Карпенко|Karpenko",
                                         "Гончаренко|Honcharenko|Goncharenko",
                                         "Захарченко|Zakharchenko"};

// North India (Devanagari).
constexpr std::array<L, 16> kInFemale = {"सीता|Sita|Seeta",
                                         "प्रिया|Priya",
                                         "पूजा|Pooja|Puja",
                                         "अंजलि|Anjali",
                                         "कविता|Kavita|Kavitha",
                                         "सुनीता|Sunita|Suneeta",
                                         "नेहा|Neha",
                                         "रेखा|Rekha",
                                         "मीना|Meena|Mina",
                                         "आशा|Asha",
                                         "लक्ष्मी|Lakshmi|Laxmi",
                                         "गीता|Geeta|Gita",
                                         "शालिनी|Shalini",
                                         "दीपा|Deepa|Dipa",
                                         "राधा|Radha",
                                         "उषा|Usha"};
constexpr std::array<L, 16> kInMale = {
    "राम|Ram|Rama",     "अनिल|Anil",       "सुनील|Sunil|Suneel", "राजेश|Rajesh",
    "विजय|Vijay|Vijai", "अमित|Amit",       "संजय|Sanjay|Sanjai", "मनोज|Manoj",
    "दिनेश|Dinesh",      "अशोक|Ashok|Asok", "रवि|Ravi",          "सुरेश|Suresh",
    "महेश|Mahesh",       "गणेश|Ganesh",      "प्रकाश|Prakash",     "अजय|Ajay"};
constexpr std::array<L, 16> kInFamily = {"शर्मा|Sharma",
                                         "वर्मा|Verma|Varma",
                                         "गुप्ता|Gupta",
                                         "सिंह|Singh",
                                         "यादव|Yadav|Yadava",
                                         "पटेल|Patel",
                                         "कुमार|Kumar",
                                         "मिश्रा|Mishra|Misra",
                                         "जोशी|Joshi",
                                         "राव|Rao",
                                         "चौहान|Chauhan",
                                         "तिवारी|Tiwari|Tewari",
                                         "पांडे|Pandey|Pande",
                                         "शुक्ला|Shukla",
                                         "श्रीवास्तव|Srivastava|Shrivastava",
                                         "अग्रवाल|Agarwal|Aggarwal"};

// Ethiopia (Ge'ez script); family parts are fathers' and grandfathers' given names.
constexpr std::array<L, 14> kEtFemale = {"አልማዝ|Almaz",     "መሰረት|Meseret",   "ትዕግስት|Tigist|Tigest",
                                         "ሄለን|Helen",      "ብርቱካን|Birtukan", "ፋጡማ|Fatuma",
                                         "ሰላም|Selam",      "ሃና|Hana|Hanna",  "ማርታ|Marta|Martha",
                                         "ቤተልሔም|Betelhem", "ዘውዲቱ|Zewditu",   "ራሔል|Rahel",
                                         "ሳራ|Sara",        "የሺ|Yeshi"};
constexpr std::array<L, 18> kEtMale = {
    "አበበ|Abebe",     "ከበደ|Kebede",    "ተስፋዬ|Tesfaye",  "ዮሐንስ|Yohannes",
    "ኃይሌ|Haile",     "ግርማ|Girma",     "ደረጄ|Dereje",    "ሰለሞን|Solomon",
    "በቀለ|Bekele",    "ታደሰ|Tadesse",   "መኮንን|Mekonnen", "ወልደ|Wolde|Welde",
    "አለሙ|Alemu",     "ጌታቸው|Getachew", "ዳዊት|Dawit",     "ብርሃኑ|Birhanu|Berhanu",
    "ሙሉጌታ|Mulugeta", "ሽፈራው|Shiferaw"};

// China (Han characters; pinyin as the variant).
constexpr std::array<L, 14> kCnFemale = {
    "芳|Fang", "娜|Na",  "敏|Min",  "静|Jing", "秀英|Xiuying", "丽|Li",   "婷|Ting",
    "慧|Hui",  "霞|Xia", "玲|Ling", "燕|Yan",  "桂英|Guiying", "红|Hong", "雪|Xue"};
constexpr std::array<L, 14> kCnMale = {
    "伟|Wei", "磊|Lei",  "洋|Yang", "勇|Yong",      "杰|Jie",        "军|Jun", "强|Qiang",
    "涛|Tao", "明|Ming", "超|Chao", "建华|Jianhua", "志强|Zhiqiang", "文|Wen", "斌|Bin"};
constexpr std::array<L, 16> kCnFamily = {
    "王|Wang",  "李|Li|Lee", "张|Zhang|Chang", "刘|Liu",       "陈|Chen|Chan", "杨|Yang",
    "黄|Huang", "赵|Zhao",   "吴|Wu",          "周|Zhou|Chou", "徐|Xu|Hsu",    "孙|Sun",
    "马|Ma",    "朱|Zhu",    "胡|Hu",          "郭|Guo|Kuo"};

constexpr std::array<Culture, 7> kCultures = {{
    {"KE", kEaFemale, kEaMale, kEaFamily, false, false, false, 0.0},
    {"MX", kLaFemale, kLaMale, kLaFamily, false, false, true, 0.9},
    {"EG", kArFemale, kArMale, kArFamily, false, false, false, 0.5},
    {"UA", kCyFemale, kCyMale, kCyFamily, false, false, false, 0.6},
    {"IN", kInFemale, kInMale, kInFamily, false, false, false, 0.4},
    {"ET", kEtFemale, kEtMale, kEtMale, false, true, false, 0.6},
    {"CN", kCnFemale, kCnMale, kCnFamily, true, false, false, 0.5},
}};

}  // namespace

std::span<const Culture> cultures() {
  return kCultures;
}

}  // namespace registrar::ibr::matching
