"""The finding matcher reads clinical phrasings by their meaning, with the real text encoder and the starter's scope:
the lexicon of how radiologists name each finding, negations, abbreviations, label-set algebra for joined and
excluded regions, asides, the words that tell sub-regions apart, and refusals where a description names another part
of the body or disease, or names several sub-regions at once. The phrasings here are not those of the evaluation
paraphrase sets."""

from __future__ import annotations

import pytest

from reinforcedvl.scope.description_sentences import (
    defined_back,
    retracted,
    unaccented,
    unemphasised,
    unframed,
)
from reinforcedvl.scope.description_text import (
    anchored,
    comparable,
    corrected,
    dismisses,
    included_part,
    reshaping,
)
from reinforcedvl.scope.structured_request import from_code

READ_AS = [
    # the lexicon: clinical names of each finding
    ("entire glioma", "whole tumour"),
    ("total lesion burden", "whole tumour"),
    ("glioblastoma", "whole tumour"),
    ("central core of the glioblastoma", "tumour core"),
    ("avidly enhancing rim", "enhancing tumour"),
    ("perifocal oedema", "peritumoral oedema"),
    ("necrotic cavity of the glioma", "necrotic tumour core"),
    ("pulmonary nodular opacity", "lung nodule"),
    # abbreviations, a negation written as a clause, a split prefix, a possessive
    ("GBM", "whole tumour"),
    ("ET", "enhancing tumour"),
    ("mass which does not show any enhancement", "non-enhancing tumour"),
    ("solid component without gadolinium enhancement", "non-enhancing tumour"),
    ("part of the lesion that takes up contrast", "enhancing tumour"),
    ("peri-lesional oedema", "peritumoral oedema"),
    ("the glioma's enhancing rim", "enhancing tumour"),
    # the head names the finding; words that say "a part of" are walked past
    ("T2 hyperintensity around the enhancing tumour", "peritumoral oedema"),
    ("the portion of necrosis at the centre of the mass", "necrotic tumour core"),
    # label-set algebra: union of joined regions, difference of excluded ones
    ("enhancing rim plus necrosis plus non-enhancing tumour", "tumour core"),
    ("the glioma minus its oedema", "tumour core"),
    ("whole tumour, peritumoral oedema excluded", "tumour core"),
    ("oedema around the mass, not the tumour itself", "peritumoral oedema"),
    # asides
    ("tumour core (enhancing and necrotic parts)", "tumour core"),
    ("ED = whole tumour minus core", "peritumoral oedema"),
    ("enhancing + necrotic + non-enhancing tumour", "tumour core"),
    # typing errors
    ("enhacing tumour", "enhancing tumour"),
    ("tumuor core", "tumour core"),  # as close to "tumour" as to "tumor": one word in two spellings
    ("necrrotic core", "necrotic tumour core"),
    ("pulmonray nodule", "lung nodule"),
    ("peritumoral oedmea", "peritumoral oedema"),
    # purpose and request words
    ("please outline the enhancing tumour for radiotherapy planning", "enhancing tumour"),
    ("lung nodule, so I can measure its volume", "lung nodule"),
    # a region word: "solid" is the enhancing and non-enhancing tumour, alone or joined; within a finding, its part
    ("necrotic centre together with the solid tumour", "tumour core"),
    ("solid viable glioma tissue lacking enhancement", "non-enhancing tumour"),
    ("solid enhancing portion", "enhancing tumour"),
    ("solid tumour core", "tumour core"),  # a training phrasing: no finding is the solid part of the core
    # several parts left out; a region that could mean several findings, told by what is left out or by an aside
    ("non-enhancing tumour core, no necrosis and no oedema", "non-enhancing tumour"),
    ("the tumour body without its surrounding oedema", "tumour core"),
    ("non-enhancing tumour core (solid portion, necrosis excluded)", "non-enhancing tumour"),
    # "all" of a sub-region is that sub-region; a joined piece that names no region adds none
    ("all necrotic areas", "necrotic tumour core"),
    ("all enhancing parts of the mass", "enhancing tumour"),
    ("the glioma and its oedema, everything visible on FLAIR", "whole tumour"),
    ("the glioma and the swelling, the lot", "whole tumour"),
    # appearance of a nodule, "solid" among them
    ("nodule without calcification", "lung nodule"),
    ("subsolid and solid nodules", "lung nodule"),
    ("solid nodule in the right lower lobe", "lung nodule"),
    # a report's context, then the request (read with a sentence that leaves out, or the context where it says "it")
    (
        "Large right temporal glioblastoma with mass effect. Please contour the surrounding vasogenic oedema.",
        "peritumoral oedema",
    ),
    ("Spiculated nodule in the left upper lobe. Please segment it.", "lung nodule"),
    ("Outline the glioma; the oedema should be excluded.", "tumour core"),
    ("how large is the necrotic core?", "necrotic tumour core"),
    # lists left out ("or" leaves out each), normal anatomy left out changes nothing, "not just" includes
    ("perilesional oedema, excluding the enhancing or necrotic tumour", "peritumoral oedema"),
    ("tumour core without the oedema, the vessels or the dura", "tumour core"),
    ("pulmonary nodule, not the adjacent fissure or vessels", "lung nodule"),
    ("the whole lesion including its oedema, not just the enhancing rim", "whole tumour"),
    # an aside that names the tumour only says where; one that only leaves out leaves out of its head
    ("oedema (right parietal glioma)", "peritumoral oedema"),
    ("the mass itself, i.e. enhancing rim, necrosis and non-enhancing tumour", "tumour core"),
    ("non-enhancing tumour core (excl. necrosis)", "non-enhancing tumour"),
    ("glioma (excl. oedema)", "tumour core"),
    # phrases set apart by commas, read where the whole is not; lay words; a hyphenated pair of words
    ("the bright part on the post-gad images, the rim that takes up the dye", "enhancing tumour"),
    ("glioma tissue that lacks enhancement", "non-enhancing tumour"),
    ("tumour-core region", "tumour core"),
    # a purpose that opens the request; "meaning" sets an aside apart; "..., but without" leaves out
    ("For surgical planning I need the enhancing rim outlined, can you do that?", "enhancing tumour"),
    ("the tumour, meaning its enhancing, necrotic and non-enhancing parts", "tumour core"),
    ("the glioma including the necrosis, but without the surrounding oedema", "tumour core"),
    ("the oedema that is around the glioma", "peritumoral oedema"),
    # a request that opens by leaving out; each sentence that asks read on its own; a dash sets a phrase apart;
    # who asks, and the tumour's classification, say nothing of the region
    ("Exclude the peritumoral oedema and outline everything else of the glioma.", "tumour core"),
    ("The enhancing rim is thin. The neurosurgeon wants the solid plus necrotic mass he would resect.", "tumour core"),
    ("the large glioma - need the volume of its necrotic centre", "necrotic tumour core"),
    ("T2 hyperintensity around the mass on FLAIR, not counting the tumour", "peritumoral oedema"),
    ("the enhancing part of the IDH-wildtype glioblastoma", "enhancing tumour"),
    # why it is asked (screening, radiation oncology) rules nothing out; a past request is context; a request that
    # names no region beside one that does
    ("Lung cancer screening, 64-year-old smoker. Please segment the nodule in the left lower lobe.", "lung nodule"),
    ("Radiation oncology planning. Contour the enhancing tumour.", "enhancing tumour"),
    ("The core was contoured last week. Now segment the oedema around it.", "peritumoral oedema"),
    ("We want every subregion separately. Give me the necrotic core first.", "necrotic tumour core"),
    # what the writer takes back
    ("outline the oedema sorry I mean the enhancing part of the glioma", "enhancing tumour"),
    ("segment the whole tumour no wait only the core without oedema", "tumour core"),
    ("the liver lesion no sorry the nodule in the left lower lobe", "lung nodule"),
    ("Segment the oedema. Sorry, the necrotic core.", "necrotic tumour core"),
    ("the tumour core, correction: the surrounding oedema", "peritumoral oedema"),
    ("um okay so the whole glioma uh with its oedema", "whole tumour"),
    # a sentence after the request that includes or leaves out a region
    ("Segment the glioma. The oedema must be included too.", "whole tumour"),
    ("Contour the glioma core. Oedema should also be inside the mask.", "whole tumour"),
    ("Segment the enhancing tumour. Necrosis and non-enhancing tumour must be included as well.", "tumour core"),
    ("Outline the oedema of the glioma. The tumour core must not be inside.", "peritumoral oedema"),
    ("Necrosis of the glioma. Enhancing tumour and oedema not.", "necrotic tumour core"),
    # ways of leaving out; the tumour left out is its core
    ("the glioma itself, oedema not", "tumour core"),
    ("FLAIR signal around the glioma which is not tumour", "peritumoral oedema"),
    ("the swelling around the tumour not the tumour itself", "peritumoral oedema"),
    ("the glioma core, leave the oedema out", "tumour core"),
    ("glioma tissue that takes no contrast, neither the necrosis nor the oedema", "non-enhancing tumour"),
    ("the glioma but stop where the oedema starts", "tumour core"),
    ("everything except the surrounding oedema", "tumour core"),
    ("the whole thing including the oedema", "whole tumour"),
    ("the full glioma, don't count the oedema", "tumour core"),
    # label sets as written; a label's number says nothing
    ("WT \\ TC of the glioma", "peritumoral oedema"),
    ("NET = TC \\ (ET \u222a NCR)", "non-enhancing tumour"),
    ("label 2 (ED) of the glioma", "peritumoral oedema"),
    # speech: words heard apart, numbers in words, lists without commas, landmarks
    ("the necro tic core of the glioma", "necrotic tumour core"),
    ("the none enhancing tumour of the glioma", "non-enhancing tumour"),
    ("segment the two centimetre nodule in the right upper lobe", "lung nodule"),
    ("the enhancing rim the necrosis the non enhancing part and the oedema all together", "whole tumour"),
    ("the necrotic part that the enhancing rim surrounds", "necrotic tumour core"),
    ("oedema surrounding the enhancing and necrotic glioma", "peritumoral oedema"),
    ("whole tumour minus the core so basically the oedema", "peritumoral oedema"),
    ("How much of the glioma has died off?", "necrotic tumour core"),
    # words of other languages and of lay people
    ("zone of contrast captation in the glioma", "enhancing tumour"),
    ("the tumour nucleus of the glioma without oedema", "tumour core"),
    ("the devitalised tissue in the glioma", "necrotic tumour core"),
    ("the part of the glioma that takes the gadolinium", "enhancing tumour"),
    ("the white ring around the glioma", "enhancing tumour"),
    ("living glioma tissue that doesn't go bright, not the dead middle", "non-enhancing tumour"),
    ("the enhancing rim after the contrast injection", "enhancing tumour"),
    ("the enhancing rim after the contrast infection", "enhancing tumour"),
    ("everything abnormal on FLAIR and T1 post contrast, the glioma", "whole tumour"),
    ("non-enhancing glioma (solid), not necrosis", "non-enhancing tumour"),
    # a message: its frame, the study, a request that names nothing read with its context
    ("Fwd from Ken: 'Please outline the necrotic centre of the GBM.' Thanks, Ken", "necrotic tumour core"),
    ("IMPRESSION: enlarging glioma. Hi, can you segment the oedema? Cheers", "peritumoral oedema"),
    ("run the tool on the glioma case from today and give me the enhancing rim", "enhancing tumour"),
    ("Small nodule in the right lung, 6 mm. Could you segment it for me? I want its doubling time.", "lung nodule"),
    ("Caption: the enhancing rim is outlined in red. Reproduce the red outline.", "enhancing tumour"),
    ("find the small spot on the chest CT", "lung nodule"),
    # shorthand
    ("seg necrotic core of the glioma w/o the enhancing rim", "necrotic tumour core"),
    ("glioma w/o the oedema -> 1 roi", "tumour core"),
    # what a ring encloses: joined to it, or alone
    ("the swollen area around the glioma together with everything inside it", "whole tumour"),
    ("the contrast-enhancing wall plus all that it surrounds", "tumour core"),
    ("draw the outer edge of the perilesional oedema; everything within it counts", "whole tumour"),
    ("the centre encircled by the gadolinium-enhancing ring", "necrotic tumour core"),
    ("whatever sits within the enhancing rim of the glioblastoma", "necrotic tumour core"),
    ("the grey tissue that the gadolinium-enhancing ring encloses", "necrotic tumour core"),
    # a part taken away from a region
    ("the glioblastoma after you strip off its oedema", "tumour core"),
    ("whole glioma region, then subtract the perifocal oedema", "tumour core"),
    ("the entire tumour with the oedema stripped away", "tumour core"),
    ("whole glioma but ignore the vasogenic oedema", "tumour core"),
    ("the glioma and its FLAIR halo, do not leave out the oedema", "whole tumour"),
    ("solid non-enhancing glioma, no nec no oedema", "non-enhancing tumour"),
    ("pulm nodule in the lingula", "lung nodule"),
    ("solid glioma tissue that doenst enhance", "non-enhancing tumour"),
    # a request written as data, hashtags, a date
    ('{"structure": "glioma_core", "omit": ["oedema"], "seq": "T1Gd"}', "tumour core"),
    ('{"roi": "tumour core", "exclude": ["peritumoral oedema"], "site": "right temporal glioma"}', "tumour core"),
    ("roi=oedema; exclude=enhancing, necrotic, non_enhancing; seq=T2", "peritumoral oedema"),
    ("- modality: low-dose chest CT\n- finding: part-solid nodule, RLL\n- measure: volume", "lung nodule"),
    ("#neuroonc the gadolinium avid bits of the glioma #contrast", "enhancing tumour"),
    ("necrosis of the glioblastoma on the scan from 12/03/2024", "necrotic tumour core"),
    ("the necrotic centre, not the ring", "necrotic tumour core"),
    # hedged context before a colon, time and comparison said of the study, a request that points back
    ("Presumed high-grade glioma, left frontal: delineate the gadolinium-enhancing margin only", "enhancing tumour"),
    ("Probable glioblastoma with central necrosis: contour the necrotic part inside the rim", "necrotic tumour core"),
    ("stable peritumoral oedema on today's follow-up, compared with the baseline study", "peritumoral oedema"),
    ("whole glioma, oedema included, not operated yet; biopsy pending", "whole tumour"),
    ("the glioma, none of the surrounding oedema", "tumour core"),
    (
        "Known glioma with a solid non-enhancing component laterally. Please outline that component.",
        "non-enhancing tumour",
    ),
    # a centre of a region that rings none: what it is made of says which
    ("the central part of the necrosis in this glioma", "necrotic tumour core"),
    # the kind of scan the family was trained in may be named
    ("solid nodule on the low-dose chest CT", "lung nodule"),
    ("necrotic centre of the glioma on the MRI", "necrotic tumour core"),
    # inside a ring, what does not do what the ring does is what it encloses; the middle is no ring
    ("the non-enhancing central area of the ring-enhancing lesion", "necrotic tumour core"),
    (
        "the non-enhancing central area of the ring lesion, where the tumour has outgrown its blood sopply",
        "necrotic tumour core",
    ),
    ("fill the dark interior of the ring", "necrotic tumour core"),
    # what only looks some way and lies around the tumour, or a part of it, is what surrounds it
    ("colour in the hazy grey stuff surrounding the glioma", "peritumoral oedema"),
    ("the fuzzy bright signal around the enhancing tumour, not the tumour itself", "peritumoral oedema"),
    # set notation and mask logic, operands grouped, a complement, an intersection
    ("TC \u2212 ET \u2212 NCR", "non-enhancing tumour"),
    ("(tumour core) \u2212 (enhancing \u222a necrosis)", "non-enhancing tumour"),
    ("whole abnormality AND NOT core", "peritumoral oedema"),
    ("mask = ET OR NCR OR NET", "tumour core"),
    ("the complement of the oedema within the whole tumour", "tumour core"),
    ("WT \u2229 \u00ac(TC)", "peritumoral oedema"),
    ("the intersection of the tumour core with the enhancing region", "enhancing tumour"),
    ("From the tumour core, retain only the necrotic voxels.", "necrotic tumour core"),
    ("the core AND the oedema, one label", "whole tumour"),
    # never treated, said many ways; a DICOM SEG property type and its modifier
    ("enhancing rim of the glioma, never irradiated, no prior resection or chemo yet", "enhancing tumour"),
    ("pre-op oedema around the never-operated glioma", "peritumoral oedema"),
    (
        "SegmentedPropertyType: Neoplasm; SegmentedPropertyTypeModifier: Necrotic; AnatomicRegion: Brain",
        "necrotic tumour core",
    ),
    ("Type: Edema; Modifier: peritumoral. Glioma, untreated.", "peritumoral oedema"),
    # a checklist of parts ticked in and out; numbered steps, finding the tumour the way to the request
    ("Checklist: necrotic centre - yes; enhancing rim - yes; non-enhancing tumour - yes; oedema - no", "tumour core"),
    ("oedema yes, enhancing no, necrosis no, non-enhancing tumour no", "peritumoral oedema"),
    ("1) Locate the glioma on FLAIR. 2) Outline the swelling around it only.", "peritumoral oedema"),
    ("Step 1: ignore the swelling. Step 2: segment the tumour core.", "tumour core"),
    # a part added, a part set aside, one instead of another, what is inside the ring in a list
    ("take the necrotic core, add the enhancing rim and the non-enhancing tumour", "tumour core"),
    ("all the abnormal signal, set aside the tumour core", "peritumoral oedema"),
    ("the necrotic centre instead of the rim", "necrotic tumour core"),
    ("the enhancing ring, what's inside it, the non-enhancing tumour and the oedema, one outline", "whole tumour"),
    # a typing error in a word of leaving out or of an intersection is mended
    ("Step 1: ignroe the oedema. Step 2: segment the tumour.", "tumour core"),
    ("the intersecion of the tumour core with the enhancing region", "enhancing tumour"),
    # a size within a finding's definition
    ("the 2.9 cm nodule, 1.5 cm from the fissure, 1 mm slices", "lung nodule"),
    # identifiers written in snake_case; the signal of the tumour on FLAIR is all of it, the signal around it oedema
    ("roi=enhancing_rim_of_glioma organ=brain", "enhancing tumour"),
    ("--label non_enhancing_solid_part --skip necrosis,oedema", "non-enhancing tumour"),
    ("segment the T2 signal abnormality of this glioblastoma", "whole tumour"),
    ("the T2 signal abnormality surrounding this glioblastoma", "peritumoral oedema"),
    ("outline the entire FLAIR signal change of the primary glioma, with the oedema", "whole tumour"),
    ("Raters shall outline the T2 signal change around the glioblastoma.", "peritumoral oedema"),
    # pairs and flags on one command line, ticks written key=value, a hashtag that ends a description tags it
    ("--target tumour_core --exclude oedema --modality MRI", "tumour core"),
    ("enhancing=yes necrosis=no oedema=no", "enhancing tumour"),
    ('seg="the swelling around the glioma" scanner=3T', "peritumoral oedema"),
    ("segment the oedema, not the tumour #T2 #untreated", "peritumoral oedema"),
    # how a region looks after contrast, said with any verb; a shell or wall that is bright rings what it encloses
    ("the part of the glioma that brightens after gadolinium", "enhancing tumour"),
    ("solid glioma tissue which remains grey after contrast, not necrotic", "non-enhancing tumour"),
    ("the non-enhancing middle rimmed by the bright shell", "necrotic tumour core"),
    # a finding set against another, then said; a part included after it is named; what merely is around a part
    ("The opposite of the core: the FLAIR-bright swelling around it.", "peritumoral oedema"),
    ("the glioma, the swelling included", "whole tumour"),
    ("the tumour core, the enhancing rim included, the oedema excluded", "tumour core"),
    ("tumour core, necrosis included, oedema excluded", "tumour core"),  # not a checklist ticking the necrosis in
    ("the stuff around the necrotic centre", "enhancing tumour"),
    # "get me", "grab"; never treated said with "hasn't had" or "has not yet been"
    (
        "Get me the parts of the glioma that take up contrast. Not the centre, not the oedema. Hasn't had surgery yet.",
        "enhancing tumour",
    ),
    ("grab the oedema of this glioma, which has not yet been operated", "peritumoral oedema"),
    # a lobe only the lung has says the organ
    ("the tiny grey spot in the right lower lobe", "lung nodule"),
    ("the little pale spot in the left lower lobe", "lung nodule"),
    # a label defined by what it joins and "excludes", then asked for by pointing back at it
    (
        "Guideline: the label joins the enhancing rim, the necrosis and the non-enhancing tumour and excludes the "
        "oedema. Draw this label for the glioma.",
        "tumour core",
    ),
    ("A spiculated nodule in the right upper lobe. Outline it on the chest CT.", "lung nodule"),
    # what is done with a finding once drawn: its measurement, a file or a view, where it goes, an earlier study
    ("contour the enhancing rim of this untreated glioma and report its volume in mL", "enhancing tumour"),
    ("Save as a NIfTI label map the oedema around this never-operated glioma", "peritumoral oedema"),
    ("blue overlay of the necrotic centre of the untreated glioblastoma", "necrotic tumour core"),
    ("compare the lung nodule on this chest CT with last year's scan and give the doubling time", "lung nodule"),
    ("outline the whole glioma with its oedema, with the total volume entered in the report", "whole tumour"),
    # chat shorthand, emoji, "X-free", an aside that only adds, "that's"
    ("ngl need the necrotic bit of this fresh glioma pls \U0001f64f thx", "necrotic tumour core"),
    ("oedema-free tumour mask pls, new glioma", "tumour core"),
    ("the solid + necrotic tumour (incl the enhancing rim), no swelling, new glioma", "tumour core"),
    (
        "the bit that's solid but isn't lighting up w contrast, not dead, not oedema, untreated glioma",
        "non-enhancing tumour",
    ),
    # pathology words; "bounded by"; all that belongs to one or the other; a look on T1 before the contrast
    (
        "the hypercellular solid tumour with the coagulative necrosis it encloses, excluding the vasogenic oedema, "
        "untreated glioma",
        "tumour core",
    ),
    ("the non-enhancing region bounded by the enhancing wall of this untreated glioblastoma", "necrotic tumour core"),
    ("every voxel that belongs to the glioma or to its oedema, untreated", "whole tumour"),
    ("the glioma tissue that turns bright on T1 after gadolinium, never treated", "enhancing tumour"),
    # corrections of the last result: what it was is left out, what is wanted read
    (
        "you gave me the whole thing. just the swelling around the glioma this time, it was never operated",
        "peritumoral oedema",
    ),
    ("No, not the rim - only the dark centre inside it, untreated glioma", "necrotic tumour core"),
    ("peel the oedema off the glioma mask, untreated patient", "tumour core"),
    ("minus the oedema: the whole tumour of this untreated glioma", "tumour core"),
    # questions that ask to draw
    ("Would you mind outlining the swelling around this treatment-naive glioma?", "peritumoral oedema"),
    ("Isn't there a small nodule in the left lung on this CT? Could you outline it?", "lung nodule"),
    # letters: greeting, the patient's age, a polite request, sign-off with initials
    (
        "Dear Dr O'Neill, Mrs Grey, 59, has an untreated glioma. I would be grateful if you could outline the necrotic "
        "centre. Kind regards, Dr A. Shah",
        "necrotic tumour core",
    ),
    (
        "Dear colleagues, for this newly diagnosed glioblastoma, never irradiated, I would appreciate an outline of "
        "the FLAIR-bright halo around the tumour. Many thanks.",
        "peritumoral oedema",
    ),
    # what is done in the viewer once drawn: shown, hidden, recoloured; "no margin"; accents
    ("Contour the oedema around this never-treated glioma, then display it in 3D at 40% opacity", "peritumoral oedema"),
    ("the solitary pulmonary nodule on this chest CT; hide the airway segment", "lung nodule"),
    ("Draw the untreated glioma's enhancing wall, overlay it on the axial slices and keep islands", "enhancing tumour"),
    ("the 7 mm solid nodule in the left lower lobe on CT, zero margin", "lung nodule"),
    ("the 12 mm nodule of the right upper lobe on CT, to be measured before the lobectomy", "lung nodule"),
    ("the oedème around the naïve glioma", "peritumoral oedema"),
    # chat-assistant prompts: a role, a worked example of another organ, sections, a word defined then pointed at
    (
        "You are an experienced neuroradiologist. Outline the necrotic centre of this untreated glioma.",
        "necrotic tumour core",
    ),
    (
        "Example: 'right adrenal' -> the adrenal mask. Actual request: the FLAIR-bright swelling around this "
        "never-operated glioma.",
        "peritumoral oedema",
    ),
    (
        "## Task\n**Segment** the treatment-naive glioma.\n**Exclude:** the oedema.\n**Output:** a binary mask.",
        "tumour core",
    ),
    ("untreated glioma: the tumour, exclude: the peritumoral oedema", "tumour core"),
    (
        "Necrosis in this context refers to the dead core within the enhancing rim. For this unoperated glioma, "
        "please outline exactly that.",
        "necrotic tumour core",
    ),
    ("the non-contrast-avid solid glioma tissue, neither necrotic nor oedematous, untreated", "non-enhancing tumour"),
    # a part kept out said as "no ... included"; every part of the tumour in one word; one segment covering a join
    ("the swelling around this untreated glioma, making sure no tumour tissue is included", "peritumoral oedema"),
    ("all tumour compartments of this untreated glioma but none of its oedema", "tumour core"),
    ("create a single label spanning the never-irradiated glioma and the oedema around it", "whole tumour"),
    ("the untreated glioma with its oedema: the complete signal abnormality on T2", "whole tumour"),
    ("the enhancing rim of this untreated glioma, but not what it surrounds", "enhancing tumour"),
    # a case summary: history, earlier imaging and incidental findings not wanted, where the glioma or lung is named
    (
        "68F, chronic kidney disease, on dialysis. A CT head in 2020 was unremarkable. MRI: untreated right frontal "
        "glioma; an incidental pineal cyst, not of interest. Please outline the oedema around the tumour.",
        "peritumoral oedema",
    ),
    (
        "Screening chest CT. He also has an adrenal adenoma from a 2021 scan. Please segment the 8 mm nodule in the "
        "left lower lobe.",
        "lung nodule",
    ),
    ("mark the core of the never-treated glioma and keep the oedema outside of the label", "tumour core"),
    ("Planning target, untreated glioblastoma. I need the tumour without its oedema.", "tumour core"),
    # a prompt passed from code: its value is the request, the code, variable and file names around it are not
    ('out = run(vol, prompt="the dead centre of the untreated glioma")  # wt_mask.nii.gz', "necrotic tumour core"),
    (
        '{"series": "FLAIR", "case": "pt_09", "prompt": "the swelling around the glioma, not the tumour"}',
        "peritumoral oedema",
    ),
    ("$ rvl run --prompt 'solid non-enhancing tissue of the naive glioma' scan_04.nii.gz", "non-enhancing tumour"),
    ('# whole tumour baseline\nres = model.predict(img, text="8 mm nodule in the left lower lobe")', "lung nodule"),
    ("# untreated GBM: the enhancing rim only\nseg = tool.run(t1c)", "enhancing tumour"),
    ('case_11,preop,T1C,"central necrosis of the glioblastoma, inside its rim"', "necrotic tumour core"),
    # a meeting's labels, the other items of a numbered list, a part named two ways, a place aside
    ("Neuro-onc (MT): untreated glioma - we need the oedema around it, tumour excluded.", "peritumoral oedema"),
    (
        "Patients: 1) ?abscess - repeat MRI. 2) L parietal glioma, untreated - ACTION: contour the enhancing rim. "
        "3) NFA.",
        "enhancing tumour",
    ),
    ("the enhancing shell/component of the untreated glioma", "enhancing tumour"),
    ("the dead centre of the glioma (surrounded by the enhancing ring)", "necrotic tumour core"),
    ("all the glioma's tumour tissue, but stop at the border of the swelling", "tumour core"),
    ("the non-enhancing solid part, separately from the rim, the necrosis and the oedema", "non-enhancing tumour"),
    ("the gadolinium-negative solid tumour of the glioma, no necrosis, no oedema", "non-enhancing tumour"),
    ("Glioma still awaiting resection: the enhancing part, please.", "enhancing tumour"),
    ("Pulmonary nodule, 9 mm: need it contoured for the doubling-time calc.", "lung nodule"),
    ("the solid gad negative tumour of the glioma, no necrosis, no oedema", "non-enhancing tumour"),
    # lines of a ticket or checklist, a handover's ward details, a protocol's passive, a part said with "non-"
    (
        "Task: glioma baseline\nChecklist:\n- [ ] mask holds only the swelling around the tumour\n- [ ] no tumour"
        " tissue in it\nPriority: Low\nOwner: team B",
        "peritumoral oedema",
    ),
    ("GLIO-204 | Summary: untreated glioma, the necrotic centre | Reviewer: A. Ruiz", "necrotic tumour core"),
    (
        "Bleep 03:10 from Dr Haddad, bed 14, Mr Lowe, HR 92: new glioma, please mark its enhancing rim.",
        "enhancing tumour",
    ),
    ("Ms Patel, side room 2: untreated GBM - outline the core, not the oedema.", "tumour core"),
    (
        "The oedema surrounding the glioma was delineated on FLAIR, tumour excluded. Do the same here.",
        "peritumoral oedema",
    ),
    (
        "Readers will outline the solid tumour that is neither enhancing nor necrotic, oedema left out.",
        "non-enhancing tumour",
    ),
    ("the non-oedema part of the untreated glioma", "tumour core"),
    ("the T2-hyperintense extent of the untreated glioma", "whole tumour"),
    ("Untreated glioma: mark the necrotic core so that the biopsy needle misses it.", "necrotic tumour core"),
    ("the enhancing part of the glioma, excluding the choroid plexus", "enhancing tumour"),
    (
        "The target will be the swelling around the untreated glioma, tumour excluded. Segment that region.",
        "peritumoral oedema",
    ),
    # second thoughts: a part not to be left out, a correction, parts wanted as one, a part not wanted
    (
        "the untreated glioma's tumour tissue: don't leave out the enhancing rim, but do leave out the oedema",
        "tumour core",
    ),
    ("the enhancing tumour, well, actually just the swelling around the untreated glioma", "peritumoral oedema"),
    ("the untreated glioma and its oedema, I don't want them separated", "whole tumour"),
    ("the untreated glioma together with its swelling, no subregions", "whole tumour"),
    ("the swelling around the untreated glioma; the tumour itself we don't need", "peritumoral oedema"),
    ("the oedema around the untreated glioma; the tumour, core and all, must not be included", "peritumoral oedema"),
    ("the enhancing shell of the untreated glioma (the shell itself, not what's inside it)", "enhancing tumour"),
    ("the untreated glioma's tissue that lights up after gadolinium, and nothing that doesn't", "enhancing tumour"),
    ("Black core on post-gad T1 ringed by enhancement: outline that, untreated glioma study.", "necrotic tumour core"),
    ("the untreated glioma's tumour tissue: including the enhancing rim, but excluding the oedema", "tumour core"),
    ("the 8 mm nodule on the screening LDCT, flagged as Lung-RADS 3", "lung nodule"),
    ("the solid nodule on HRCT", "lung nodule"),
    ("Chest CT: the 7 mm nodule in the left upper lobe, not the surrounding lung.", "lung nodule"),
    (
        "the swelling around the untreated glioma; the rim, the necrosis and the solid tumour are all excluded",
        "peritumoral oedema",
    ),
    ("the part the enhancing rim encloses in this untreated glioma", "necrotic tumour core"),
    ("the tissue enclosed by the enhancing rim in this untreated glioma", "necrotic tumour core"),
    ("the ring of the untreated glioma, without the necrosis the ring encloses", "enhancing tumour"),
    ("Just the rim: this glioma has never been treated.", "enhancing tumour"),
    (
        "the dead middle of the untreated glioma, not the enhancing shell, and this is a baseline scan",
        "necrotic tumour core",
    ),
    (
        "take the FLAIR abnormality of the untreated glioma and remove the tumour, so that just the oedema is left",
        "peritumoral oedema",
    ),
    # dictated: punctuation, sequences and sizes said aloud, words said twice, no commas
    ("ok so the the whole glioma comma untreated comma oedema included full stop", "whole tumour"),
    ("all the tee two bright signal of the never treated glioma the whole thing", "whole tumour"),
    ("um the tumour itself solid and necrotic and enhancing no swelling pre treatment glioma", "tumour core"),
    ("segment the rounded density in the right lung on ct roughly one point two centimetres", "lung nodule"),
    ("the nodule in the left lung about six millimetres on the chest ct", "lung nodule"),
    # research writing: what the regions drawn are defined as, parts left undrawn, a definition after a comma
    ("Volumes of interest shall be delineated as the oedema around each treatment-naive glioma.", "peritumoral oedema"),
    ("Annotate the untreated glioma's solid and necrotic tumour, leaving the oedema unlabelled.", "tumour core"),
    (
        "Label the necrotic core of the naive glioblastoma, defined as tissue enclosed by the enhancing border.",
        ("necrotic tumour core"),
    ),
    ("the total FLAIR-defined extent of the newly diagnosed, never-operated glioma", "whole tumour"),
    ("give me the enhancing part of this newly diagnosed glioma", "enhancing tumour"),
    ("the necrotic heart of the untreated glioblastoma inside its enhancing wall", "necrotic tumour core"),
    ("the solid and necrotic parts of the untreated glioma; the swelling has to stay outside the mask", "tumour core"),
    ("the swelling that lies outside the tumour core of the untreated glioma", "peritumoral oedema"),
    # a misspelling one error from several words, each of which reads the same
    ("the dark centre of the untreated glioma surroundd by the enhancing rim", "necrotic tumour core"),
    # what is meant set against what is not: an opening negation, "rather than (only)", "as opposed to", "but"
    ("Not the swelling, the enhancing ring of this never-treated glioblastoma", "enhancing tumour"),
    ("Not the rim, not the necrosis: all of the T2 hyperintensity of the untreated glioma", "whole tumour"),
    ("It's not a mass, it's a 9 mm solid nodule in the left upper lobe on CT", "lung nodule"),
    ("I don't mean the whole lesion, I mean the dead centre of the untreated glioblastoma", "necrotic tumour core"),
    ("Not the swelling - the tumour proper of the treatment-naive glioma", "tumour core"),
    ("the complete abnormality of the untreated glioma instead of just its enhancing part", "whole tumour"),
    (
        "the solid non-enhancing glioma tissue, as opposed to the enhancing part and the necrosis",
        "non-enhancing tumour",
    ),
    ("the untreated glioma's core rather than the whole lesion; the oedema is not needed", "tumour core"),
    ("everything but the swelling of this newly diagnosed glioma", "tumour core"),
    ("The whole tumour, rather than any one sub-region, of the untreated glioblastoma", "whole tumour"),
    ("the 7 mm pulmonary nodule on chest CT as opposed to the lung fields around it", "lung nodule"),
    ("everything necrotic inside the untreated glioblastoma", "necrotic tumour core"),
    ("contour not only the tumour core but also the oedema of the untreated glioma", "whole tumour"),
    (
        "Draw the whole tumour. No, scratch that, only the necrosis of the untreated glioblastoma.",
        "necrotic tumour core",
    ),
    ("Segment both lungs... no, only the 6 mm nodule in the right lower lobe.", "lung nodule"),
    # orders: a context field before " / ", "c/w", "no tx", a bare "w/o", "for volume", a grade that names the tumour
    ("45F, new left frontal GBM, no tx / please contour the vasogenic oedema", "peritumoral oedema"),
    ("MRI brain w/ contrast; lesion c/w untreated GBM / segment the enhancing rim", "enhancing tumour"),
    ("CT THORAX W/O; 70F; 9 mm LLL nodule, segment for volume", "lung nodule"),
    ("give me the solid non-enhancing part of this untreated low-grade glioma", "non-enhancing tumour"),
    ("untreated glioma, T2-based: all subregions and the oedema together", "whole tumour"),
    ("the part-solid nodule on chest CT, not the surrounding aerated lung", "lung nodule"),
    ("the 14 mm subsolid nodule, including both the solid and the ground-glass components", "lung nodule"),
    ("the spiculated nodule in the left upper lobe on CT with all its spicules", "lung nodule"),
    # a part that looks dark inside the enhancing rim, or that the rim wraps around, is what the rim encloses
    ("the black area that the untreated glioblastoma's enhancing wall encloses", "necrotic tumour core"),
    ("the T1c-dark region inside the enhancing ring of the untreated glioblastoma", "necrotic tumour core"),
    ("the middle part that the enhancing rim of the naive glioblastoma wraps around", "necrotic tumour core"),
    # how far out a region reaches: the part reached and everything inside it
    ("the untreated glioma out to the outer margin of the T2 signal change", "whole tumour"),
    ("everything from the dead centre of the naive glioblastoma outwards to the enhancing ring", "tumour core"),
    (
        "from the necrotic middle of the untreated GBM all the way out to the boundary of the FLAIR abnormality",
        "whole tumour",
    ),
    ("the swelling from the edge of the untreated glioma out to the limit of the FLAIR signal", "peritumoral oedema"),
    # the tumour inside the oedema is the tumour the oedema rings; what within a region is actually tumour
    ("the untreated glioma itself, lying within the vasogenic swelling", "tumour core"),
    ("whatever inside the FLAIR halo of the untreated glioma is real tumour", "tumour core"),
    # a part that looks one way on one sequence and another on the next; where it lies between two parts
    (
        "the solid untreated glioma tissue, FLAIR hyperintense and T1 hypointense, with no enhancement",
        "non-enhancing tumour",
    ),
    (
        "the solid glioma that does not enhance, sitting between the necrotic middle and the oedema",
        "non-enhancing tumour",
    ),
    # a request that opens with its reason; a finding said to have been found; a study said by its dose or sequences
    (
        "Since this untreated GBM has so much swelling, I'd like only the oedema, kept apart from the tumour",
        "peritumoral oedema",
    ),
    ("the 8 mm nodule first seen two years ago on the low-dose CT, segment it", "lung nodule"),
    ("the untreated glioma with all of its oedema, multiparametric MRI", "whole tumour"),
    ("WHO grade 4 astrocytoma, never treated: the tumour core please", "tumour core"),
    # dark on the post-contrast images is not enhancing; what was done before is no request
    ("the T1c-hypointense area enclosed by the enhancing wall of the naive glioblastoma", "necrotic tumour core"),
    ("the solid part of the untreated glioma that is T1c hypointense, not the necrosis", "non-enhancing tumour"),
    (
        "The enhancing rim was outlined yesterday. Now draw the swelling around the untreated glioma.",
        "peritumoral oedema",
    ),
    # a size with a decimal comma; "only what is inside it" is what the ring encloses, not the ring with it
    ("a 2,4 cm part-solid nodule in the left lower lobe, chest CT", "lung nodule"),
    (
        "I have the rim already; now just what is inside it, the dead centre of the untreated GBM",
        "necrotic tumour core",
    ),
    # a part said not to be included, or not wanted in the mask; parts left out one "not" after another
    ("the tumour core of the untreated glioma; the swelling mustn't be included", "tumour core"),
    ("the untreated tumour core only, the oedema we do not want inside the segmentation", "tumour core"),
    ("enhancing, necrotic and non-enhancing glioma together, the oedema is leave outside", "tumour core"),
    ("non-enhancing solid glioma, not oedema not necrosis", "non-enhancing tumour"),
    ("enhancing rim of the untreated glioma, T1 post-contrast, dont include the necrosis", "enhancing tumour"),
    ("NE solid component of the untreated glioma", "non-enhancing tumour"),
    # a region said twice beside what is left out; the tumour or study named after what is left out says of what
    ("the dead tissue only - the dark middle inside the enhancing ring - not the ring itself", "necrotic tumour core"),
    ("the glioma itself without the swelling - never treated astrocytoma, baseline study", "tumour core"),
    ("the untreated glioma per se, without its oedema", "tumour core"),
    # a file, view or measurement asked for around the finding
    ("Outline the swelling around the untreated glioma, then export it as a NIfTI label", "peritumoral oedema"),
    ("the untreated GBM's enhancing rim - longest diameter and volume please", "enhancing tumour"),
    ("OBJ export of the 6 mm nodule on the chest CT", "lung nodule"),
    ("the naive glioma's necrotic centre, area and volume for the MDT meeting", "necrotic tumour core"),
    # "what is inside" the ring is a part, not a question; the tumour named after a list says of what
    ("what is inside the enhancing wall of the never-treated glioblastoma", "necrotic tumour core"),
    ("enhancing, necrotic and non-enhancing components, untreated astrocytoma", "tumour core"),
    ("the enhancing wall and everything inside it, treatment-naive GBM", "tumour core"),
    ("the stuff inside the enhancing ring of the untreated GBM", "necrotic tumour core"),
    # a treatment said not done (yet) after it is named; a kind of scan still to come, or done before the one at hand
    (
        "Untreated anaplastic astrocytoma, resection not yet done. Outline the full T2 abnormality with oedema.",
        "whole tumour",
    ),
    ("GBM with surgery still pending; contour the enhancing ring", "enhancing tumour"),
    ("glioma, chemo not given yet - the oedema only", "peritumoral oedema"),
    ("Outline the 18 mm nodule in the right upper lobe on this CT, PET scan planned", "lung nodule"),
    ("CT followed by MRI showed an untreated glioma; outline its necrotic core", "necrotic tumour core"),
    # where the finding lies, set apart or said at length, is not a region; two qualities of one thing are both its
    ("tumour with its surrounding oedema, right precentral gyrus, never treated", "whole tumour"),
    ("the solid nodule in the RML medial segment, 11 mm, CT", "lung nodule"),
    ("outline what enhances after gadolinium in the right caudate glioblastoma, untreated", "enhancing tumour"),
    ("the bit of the untreated glioma which is solid and non-enhancing", "non-enhancing tumour"),
    # what it is said against what it is not; a step in the viewer first; a measurement to check after it
    ("Outline the 14 mm opacity in the left lower lobe on CT. It's a nodule, not a mass.", "lung nodule"),
    ("open the T2 and draw the oedema surrounding the untreated GBM", "peritumoral oedema"),
    ("load the lung window, then contour the 7 mm nodule", "lung nodule"),
    ("Contour the 9 mm RUL nodule on CT and verify the long axis", "lung nodule"),
    # a descriptor of the finding said as its own ("and its spicules"), its 3D mask, vessels "next to it" left out
    ("the 7 mm nodule and its spicules on the chest CT", "lung nodule"),
    ("the 3D segmentation of the 6 mm nodule, CT", "lung nodule"),
    ("Segment the 11 mm RUL nodule only, not the vessels next to it", "lung nodule"),
    # an age and sex before a full stop ("61F.") end a sentence; what a surgeon would take out is the tumour core;
    # "necrosis and all the surrounding swelling" is a list, not the idiom "core and all"
    ("Untreated GBM, 61F. Outline the whole lesion including its oedema.", "whole tumour"),
    ("Untreated GBM: the part the surgeon would remove, no oedema.", "tumour core"),
    ("what would be resected in this pre-op glioblastoma", "tumour core"),
    ("the whole untreated GBM - enhancing part, necrosis and all the surrounding swelling", "whole tumour"),
    # "round" as a preposition; a part separated out from others, not where the separating is negated
    ("the FLAIR hyperintense rim round the untreated glioma, tumour excluded", "peritumoral oedema"),
    ("everything that is tumour in this untreated GBM, without the oedema", "tumour core"),
    (
        "Don't separate the oedema from the untreated glioma - segment the entire abnormality as one label",
        "whole tumour",
    ),
    (
        "the whole FLAIR abnormality of the untreated glioma, without trying to separate tumour from oedema",
        "whole tumour",
    ),
    (
        "isolate the solid non-enhancing component from the necrosis and the oedema, untreated glioma",
        "non-enhancing tumour",
    ),
    (
        "outline the oedema around the untreated glioma, leaving the core out, and confirm it measures 4.6 cm",
        "peritumoral oedema",
    ),
    # the patient's tumour named, then the request with "and": context, not a region joined (was the whole tumour)
    ("Newly diagnosed astrocytoma, and we need the rim that enhances", "enhancing tumour"),
    ("Treatment-naive GBM and could you outline the swelling around it", "peritumoral oedema"),
    # a conclusion with "so" after the reasoning; "the bulk of" a part (was the core); what gives nothing is left out
    (
        "we need to know how much solid tumour lies beyond the enhancing ring, so the non-enhancing tumour please, not"
        " the oedema",
        "non-enhancing tumour",
    ),
    ("the bulk of the swelling around the untreated glioma", "peritumoral oedema"),
    ("the bulk of enhancing tissue in this pre-op glioma", "enhancing tumour"),
    ("I need the tumour core and nothing from the oedema around it", "tumour core"),
    ("contrast-enhancing glioma tissue only, excluding anything else", "enhancing tumour"),
    # the non-enhancing centre is the necrosis (was the non-enhancing tumour)
    ("outline the non-enhancing center of the untreated glioblastoma", "necrotic tumour core"),
    # sequences named as what is open or drawn on; a CT's indication and what a CT shows; a purpose that is a scheme
    ("necrotic core, T2 and FLAIR opened", "necrotic tumour core"),
    ("outline the tumour core on the T2 and FLAIR of this untreated glioma", "tumour core"),
    ("outline the 7 mm nodule, the CT was performed for suspected pulmonary embolism", "lung nodule"),
    ("CT revealed a solitary 14 mm nodule. Please outline it.", "lung nodule"),
    (
        "There is a 10 mm nodule in the right middle lobe and I need the volume for RECIST, please segment it.",
        "lung nodule",
    ),
    # a signal around the tumour with no sequence named; what could be resected; a nodule said to be no mass
    ("the untreated astrocytoma in full, including the perilesional hyperintensity", "whole tumour"),
    ("segment the resectable tumour of this untreated glioma", "tumour core"),
    ("Please outline the 18 mm nodule in the right lower lobe. It is below 3 cm, so not a mass.", "lung nodule"),
]


@pytest.mark.parametrize(("description", "finding"), READ_AS)
def test_clinical_phrasings_are_read_as_their_finding(matcher, description, finding):
    match = matcher.match(description)
    assert match.finding == finding, match.reason


REFUSED = [
    # another part of the body than the family's, or another disease (each close enough to be read as one before)
    ("subcutaneous nodule", '"subcutaneous"'),
    ("oedema of the ankle", '"ankle"'),
    ("necrotic metastasis", '"metastasis"'),
    ("radiation necrosis", '"radiation necrosis"'),
    ("ring-enhancing lesion with surrounding oedema in the liver", '"liver"'),
    # a typing error in the organ's name does not hide it
    ("beast nodule", '"breast"'),
    # words that name several sub-regions that no one finding's name carries
    ("enhancing tumour core", "more than one"),
    # what is not meant, or a negation no rule reads
    ("not the oedema", "not meant"),
    ("glioma which never enhances", "negates"),
    # a misspelt word that may decide the finding
    ("nerctic core", 'may misspell "necrotic"'),
    # a part left out of a region that is no finding
    ("whole tumour without necrosis", "no one trained finding"),
    # the solid tumour is two findings; an aside naming a region outside its head's finding, or another finding
    ("solid tumour", '"solid" names "enhancing tumour" and "non-enhancing tumour" together'),
    ("solid portion of the glioblastoma", '"solid" names'),
    ("tumour core (necrosis and oedema)", 'a region outside "tumour core"'),
    ("non-enhancing tumour core (enhancing rim)", "its aside names"),
    # the organ itself is no finding in it; a description that only says what to leave out
    ("the left lung", "the lung itself"),
    ("segment the chest", "the chest itself"),
    ("excluding the oedema", "only says what is left out"),
    ("the glioma, not the tumour itself", "leaves nothing"),
    # a disease or part of the body named in the context, or beside the request, still rules the family out
    ("Known brain metastasis. Please segment the oedema.", '"metastasis"'),
    ("Patient with meningioma; outline the enhancing part.", '"meningioma"'),
    ("nodule, thyroid, left lobe", '"thyroid"'),
    ("the swelling, left knee", '"knee"'),
    ("enhancing lesion, liver, segment 7", "liver"),
    # words that say something is there and nothing of what
    ("something abnormal", "does not say which finding"),
    ("the lesion", "does not say which finding"),
    # a request that nothing be drawn; sentences that ask for different findings
    ("Which tumour is this? Just tell me the diagnosis, don't segment anything.", "nothing be drawn"),
    ("Segment the oedema. Also segment the enhancing rim.", "different findings"),
    # the brains it was trained on were untreated
    ("enhancing tumour after radiotherapy", '"after radiotherapy"'),
    # a correction takes back the finding, not the disease named with the new one
    ("the oedema, sorry, I mean the metastasis", "metastasis"),
    # an aside that names a region outside its head, though the aside as a whole is read as none
    ("Delineate the glioma core: necrosis, enhancing tumour and oedema, all blended.", 'outside "tumour core"'),
    # a question about what a finding is, with nothing to draw
    ("Is this glioma high grade? What's the diagnosis?", "asks what a finding is"),
    ("Is the lung nodule malignant?", "asks what a finding is"),
    # a mass in the lung is no nodule; everything but the tumour says nothing
    ("segment the mass in the left lung", '"lung mass"'),
    ("everything except the tumour", "leaves nothing"),
    # an unknown word that is all a description says of the finding
    ("the scarrred part of the lung", "no word this model knows"),
    ("seg the normal lung both sides", "the lung itself"),
    ("dx? enhancing glioma", "asks what a finding is"),
    # a kind of scan the family was not trained in
    ("the pulmonary nodule on this radiograph", '"radiograph": this model was trained to find lung nodule in CT only'),
    ("the lung nodule seen on the PET-CT", '"pet-ct"'),
    ("oedema around the glioma on the head CT", '"ct"'),
    ("nodule on the mammogram", '"mammogram"'),
    # a question, by its mark, about what a finding is
    ("WHO grade of this glioblastoma?", "asks what a finding is"),
    ("Fleischner category for the 5 mm nodule?", "asks what a finding is"),
    # what a region rings, where the region names only a part: not which part
    ("whatever lies inside the whole tumour", "more than one"),
    ("the central non-enhancing tissue of the ring lesion", "more than one"),
    ('{"target": "enhancing lesion", "organ": "liver", "phase": "arterial"}', '"liver"'),
    ("- region: nodule\n- modality: chest x-ray", '"x-ray"'),
    ("outline the ground-glass opacities in both lungs", "diffuse lung disease"),
    ("residual enhancing tumour", "treatment effect"),
    # a part left out that does not say which; a clause that names only the tumour beside an unsure part
    ("the glioma with its swelling, but not the abnormal area", "does not say which part"),
    ("the non-enhancing tumour core, where the tumour has outgrown its blood sopply", "more than one"),
    # a size a finding's definition does not allow
    ("the 3.4 x 2.2 cm nodule in the right upper lobe", "a larger lesion is a mass"),
    ("lung nodule of forty mm, segment it", "a larger lesion is a mass"),
    ("the nodule, more than 35 mm across", "a larger lesion is a mass"),
    # what lies around a finding that nothing surrounds is no finding; a part alone beside the whole tumour
    ("the bright halo around the lung nodule", "lies around"),
    ("The bit I circled yesterday - segment that, it's the glioma near the corpus callosum.", "names a part of the"),
    # regions intersected that share no finding, or one intersected with something that is no region
    ("the intersection of the necrosis with the oedema", "share no one trained finding"),
    ("(enhancing tumour) \u2229 (the left frontal lobe) \u2229 (oedema)", "no region of a brain tumour"),
    # the rest of the tumour where nothing is said to be left out; a question asked within a sentence
    ("Step 1: put the oedema in a label of its own. Step 2: segment the rest of the glioma.", "the rest of a finding"),
    ("Check the necrosis and tell me whether this glioma is IDH-mutant.", "asks what a finding is"),
    # a request for a verdict, not a drawing
    ("1) Find the nodule on the CT. 2) Decide whether it is malignant. 3) Report only the answer.", "nothing be drawn"),
    # a segment property of another organ, or a treated glioma however the treatment is said
    ("Category: Morphologically altered structure; Type: Neoplasm; Modifier: enhancing. Meningioma.", "meningioma"),
    ("no prior surgery: residual enhancing tumour", "treatment effect"),
    ("recurrent GBM: contour the oedema", "treatment effect"),
    ("glioma, s/p subtotal resection; necrotic core please", "treatment effect"),
    ("case: glioblastoma 3 months after surgery\ntarget: non-enhancing tumour", "treatment effect"),
    ("relapsed glioma: whole tumour", "treatment effect"),
    ("the enhancing rim of the glioma after a course of chemoradiation", "treatment effect"),
    ("the oedema, following gross total resection of the glioma", "treatment effect"),
    # what a finding is set against alone; something that is no finding around one is not that finding
    ("the opposite of the oedema", "not meant"),
    ("a smudge of sparkles around the enhancing rim", "not the enhancing tumour itself"),
    ("the 4 cm mass in the right upper lobe", "lung mass"),
    # a request that only points and says where names no finding; what it points at is another's
    ("Draw it on the chest CT.", "does not say which finding"),
    ("Exercise: where is the gas in this pneumothorax? Mark it on the chest CT.", "pneumothorax"),
    ("Question: judging by the MRI alone, is this glioma MGMT-methylated?", "asks what a finding is"),
    # a treatment said to have been given; another finding asked with the measurement or the comparison
    ("the enhancing tumour of a glioma that has had radiotherapy", "treatment effect"),
    ("the oedema of the glioma; the patient underwent a resection in March", "treatment effect"),
    ("segment the necrotic core and give me the oedema volume", "together"),
    ("segment the lung nodule and compare it with the liver lesion", "liver"),
    # "or" offering two findings; a part said not to be there
    ("the glioma or its oedema", "offers"),
    ("non-necrotic", "not meant"),
    ("a nodule-free lung", "negat"),
    # the finding changed in shape; a request that only restyles a segment; an example's organ is not the request's
    ("the lung nodule with an isotropic 7 mm margin", "changed in shape"),
    ("dilate the untreated glioma's enhancing tumour by 1 cm for the boost volume", "changed in shape"),
    ("Hollow out the necrotic core segment", "changed in shape"),
    ("the whole enhancing area, it is the glioma", "names a part"),
    # what is said of another matter is left out only where the glioma or the lung is named
    ("Incidental pineal cyst, not of interest. History of melanoma. Segment the oedema.", "melanoma"),
    ("Untreated glioma. Incidental meningioma: please outline its oedema.", "meningioma"),
    ("Please change the colour of the oedema segment to green.", "how a segment is shown"),
    ("Example: 'lung nodule' -> the nodule mask. Now: the enhancing meningioma.", "does not match"),
    # code around a prompt says nothing of the finding; a decision, a category, a treated state ask for none
    ('enhancing_tumour = run(vol, prompt="the liver lesion")', "liver"),
    ("Please give the Fleischner category of this 6 mm lung nodule.", "asks what a finding is"),
    ("MDT: the oedema around the untreated glioma was discussed. Decision: continue steroids.", "decided"),
    ("Glioma on temozolomide: segment the enhancing tumour.", "treatment effect"),
    ("Post-biopsy scan of the glioma: the necrotic core.", "treatment effect"),
    ("List: 1) glioma resected in 2023. 2) Segment the enhancing tumour of the glioma.", "treatment effect"),
    ("the non blahblah enhancing part of the glioma", "negates"),
    ("1) Look at the nodule in the left lung. 2) Tell me if it is benign. 3) Do not outline it.", "nothing be drawn"),
    ("How many lung nodules are there? Give the count and do not segment them.", "nothing be drawn"),
    ("What is the growth rate of the nodule since the last CT?", "asks what a finding is"),
    ("the non-oedema enhancing necrotic part", "no one trained finding"),
    # a head naming the tumour whole beside a list of its parts not understood; a ring left out of its own middle
    (
        "Hi Sam - for the untreated glioma please outline the tumour itself: enhancing rim, necrotic centre and solid"
        " non-enhancing tissue together, blorping out the surrounding oedema",
        "does not know",
    ),
    ("the necrotic middle of the ring-enhancing glioma, that region only, nothing of the necrosis", "leaves nothing"),
    # a treatment said apart ("post op"), after "after surgery" and another word; what lies around a finding
    ("the enhancing part of the glioma on the post op scan", "not treatment effect"),
    ("the oedema of this glioma after surgery the follow up scan", "not treatment effect"),
    ("the surrounding brain of the untreated glioma", "around"),
    ("the lung parenchyma around the 6 mm nodule", "around"),
    # a definition that names another finding than its head; a misspelling that could be words read differently
    ("the enhancing rim of the untreated glioma, defined as the swelling around it", "different findings"),
    ("the hypointense core surroundd by the enhancing wall of the untreated glioma", "may misspell"),
    # something wrong said only where: a part of the body holds findings of many kinds (not where the training's own
    # words say so: "lung lesion", "chest lesion" are nodules)
    ("outline the abnormality in the thorax on CT", "something is there in the chest"),
    ("something abnormal in the lung", "something is there in the lung"),
    ("abnormal signal in the brain", "something is there in the brain"),
    # what is said not to be meant is the same as what follows, or is not understood
    ("Not the necrosis - the necrosis of the untreated glioblastoma", "not meant"),
    ("Not the surgical cavity - the enhancing rim around it", "not meant"),
    ("It isn't a nodule, it's a 5 cm mass in the right upper lobe", "negates"),
    ("the oedema of the glioma rather than the post-operative changes", "not treatment effect"),
    # a misspelling one spelling of which is read and the other refused as unsure between findings
    (
        "Hi Sam - for the untreated glioma please draw the tumour itself: rim, dead middle and solid non-enhancing"
        " tissue together, laeving out the swelling. - Jo",
        "may misspell",
    ),
    # a noun phrase headed by what a finding is, said of it, asks that and no drawing
    ("prognosis for this untreated glioblastoma", "asks what a finding is"),
    ("likely histology of the enhancing tumour", "asks what a finding is"),
    ("the overall survival estimate with this glioma", "asks what a finding is"),
    ("Lung-RADS category for the 9 mm nodule", "asks what a finding is"),
    # a reason that names another disease, a part of the body or a kind of scan is kept
    ("Because this is a lymphoma, outline the enhancing part", "lymphoma"),
    ("As the lesion is in the kidney, segment the nodule", "kidney"),
    ("tell me what this 7 mm nodule is", "asks what a finding is"),
    ("aetiology of the 12 mm nodule in the right upper lobe", "asks what a finding is"),
    # a treatment said done after it is named; a size with a decimal comma; a look for anything in a part of the body
    ("Chemoradiation was completed in March for this astrocytoma. Outline the oedema.", "treatment effect"),
    ("lung nodule 3,4 cm on chest CT", "a size of 34 mm"),
    ("please check the chest for anything abnormal", "something is there in the chest"),
    # a question of which of things a finding is, not where it is
    ("What lies inside the enhancing wall - dead tissue or a cyst?", "asks what a finding is"),
    ("what is inside the rim of this untreated GBM, is it necrotic?", "asks what a finding is"),
    # normal anatomy asked for, with the patient's glioma beside it; what it is said against what it is not
    ("Contour the third ventricle; this patient has an untreated glioblastoma.", "normal structures themselves"),
    ("Glioma patient, never operated: outline both cerebral hemispheres for a volume", "the brain itself"),
    ("Segment the mass in the left frontal lobe. It is a metastasis, not a glioma.", "closely enough"),
    ("the nodule on the chest radiograph, CT requested", '"radiograph"'),
    ("nodule in the right frontal lobe", '"frontal lobe"'),
    ("what the surgeon would resect in this meningioma", "closely enough"),
    ("MRI shows a 12 mm nodule in the right lung. Segment it.", '"mri"'),
    ("enhancing part, necrosis and all the surrounding swelling of the untreated GBM", "together"),
    # a part named, then another asked for with "and": both, which no one finding is
    ("the necrotic centre, and I want the enhancing rim", "together"),
    # a treatment said given inside a purpose clause is kept; a question of what to do with a finding
    ("Outline the enhancing tumour for response assessment after chemoradiation", "treatment effect"),
    ("Should the 8 mm nodule in the right upper lobe be followed up?", "asks what a finding is"),
]


@pytest.mark.parametrize(("description", "reason"), REFUSED)
def test_descriptions_that_mean_no_trained_finding_or_several_are_refused_with_the_reason(matcher, description, reason):
    match = matcher.match(description)
    assert match.finding is None, f"{description!r} read as {match.finding}"
    assert reason in match.reason


@pytest.mark.parametrize(
    "description",
    [
        "nodule in the adrenal gland",
        "ring-enhancing cerebral abscess",
        "enhancing MS plaque",
        "lung mass",
        "#covid the ground-glass opacities of both lungs",
        "Postoperative MRI: segment the residual enhancing tumour along the cavity",
    ],
)
def test_lesions_of_other_organs_and_diseases_are_refused(matcher, description):
    match = matcher.match(description)
    assert match.finding is None and match.reason, f"{description!r} read as {match.finding}"


@pytest.mark.parametrize("description", ["( )", "6 mm, (3 cm)", "For radiotherapy planning, 6 mm"])
def test_a_description_whose_pieces_name_nothing_is_refused_not_an_error(matcher, description):
    match = matcher.match(description)
    assert match.finding is None and match.reason


def test_identifiers_written_in_snake_case_are_read_as_words_not_an_error(matcher):
    # a region word inside an identifier once made the matcher read the same text within itself until Python's
    # recursion limit
    assert matcher.match("--structure non_enhancing_solid_glioma_tissue").finding == "non-enhancing tumour"
    assert matcher.match("label=solid_tumour_part_without_enhancement modality=t1c").finding == "non-enhancing tumour"


def test_an_aside_cannot_carry_a_finding_into_another_part_of_the_body(matcher):
    assert matcher.match("nodule (lung)").finding == "lung nodule"
    assert matcher.match("nodule (thyroid)").finding is None


def test_head_and_aside_naming_different_findings_are_refused(matcher):
    match = matcher.match("tumour core (the oedema around it)")
    assert match.finding is None and "different findings" in match.reason


def test_an_appearance_word_joined_to_a_part_is_kept_one_of_appearances_is_left_out():
    assert comparable("solid and necrotic tumour") == "solid and necrotic tumor"
    assert "spiculated" not in comparable("spiculated and lobulated nodule")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("tumour that doesn't enhance", "tumor non-enhancing"),
        ("non-contrast-enhancing tumour", "non-enhancing tumor"),
        ("NET", "non-enhancing tumor"),
        ("non-enhancing necrotic centre", "necrotic center"),
        ("enhancing tumour on post-gad T1", "enhancing tumor"),
        ("nodule >= 4 mm in the RLL.", "nodule"),
    ],
)
def test_negations_abbreviations_and_acquisition_words_are_folded_before_comparing(text, folded):
    assert comparable(text) == folded


def test_a_typing_error_is_corrected_only_to_the_one_word_it_is_close_to():
    vocabulary = frozenset({"enhancing", "necrotic", "nodule", "nodules", "breast", "breath", "breasts"})
    english = frozenset({"patient", "beast", "neurotic"})
    assert corrected("Enhacing rim", vocabulary, english) == "enhancing rim"
    assert corrected("nodlue", vocabulary, english) == "nodule"  # two neighbours swapped; its plural is as close
    assert corrected("patient", vocabulary, english) == "patient"  # an English word
    assert corrected("necr", vocabulary, english) == "necr"  # too short to tell
    assert corrected("breats", vocabulary, english) == "breast"  # "breath" too, but only "breast" names a part
    assert corrected("neurotic", vocabulary, english) == "neurotic"  # an English word one letter from "necrotic"
    assert corrected("nacrotiq", vocabulary, english) == "nacrotiq"  # two letters from "necrotic"
    four = frozenset({"edema", "node", "nodes", "nodule"})
    assert corrected("the edma", four, english) == "the edema"  # four letters: a letter left out of five
    assert corrected("the nodr", four, english) == "the nodr"  # four letters, but no letter left out
    assert corrected("beast", four, english) == "beast"  # an English word of four letters or more


def test_words_heard_apart_are_joined_and_a_real_word_is_mended_only_where_a_part_would_stand():
    vocabulary = frozenset({"necrotic", "edema", "breast", "infection", "nodule"})
    english = frozenset({"neck", "tic", "a", "beast", "injection", "the", "contrast", "after"})
    assert corrected("the necro tic core", vocabulary, english) == "the necrotic core"
    assert corrected("neck rotic", vocabulary, english) == "necrotic"  # joined, then one letter from "necrotic"
    assert corrected("a dema", vocabulary, english) == "edema"
    assert corrected("a beast nodule", vocabulary, english) == "a breast nodule"  # before a finding's noun
    assert corrected("after the contrast injection", vocabulary, english) == "after the contrast injection"


def test_what_is_taken_back_is_left_out():
    assert retracted(["the oedema sorry I mean the core"]) == ["the core"]
    assert retracted(["Segment the oedema", "Sorry, the core"]) == ["the core"]
    assert retracted(["Segment the oedema, sorry"]) == ["Segment the oedema"]  # nothing after it: nothing taken back
    assert retracted(["Known glioma", "Segment the oedema"]) == ["Known glioma", "Segment the oedema"]
    assert retracted(["the nodule, I mean the one in the left lobe"]) == ["the nodule, the one in the left lobe"]
    assert retracted(["the nodule, I mean the small round one"]) == ["the nodule, the small round one"]
    assert retracted(["the rim, on second thoughts the dead centre"]) == ["the dead centre"]
    assert retracted(["the core - well, actually, the swelling"]) == ["the swelling"]
    assert retracted(["Outline the rim..", "no, just the necrosis"]) == ["just the necrosis"]
    assert retracted(["Outline the rim..", "no, scratch that, the necrosis"]) == ["the necrosis"]
    assert retracted(["Segment the glioma", "No, not the oedema"]) == ["Segment the glioma", "No, not the oedema"]


def test_a_message_frame_is_left_out():
    said = ["Fwd from Marco: please segment the oedema", "Hi Anna, the surgeon asked", "Thanks, Priya", "Cheers"]
    assert unframed(said) == ["please segment the oedema", "the surgeon asked"]
    assert unframed(["IMPRESSION: enlarging glioma"]) == ["enlarging glioma"]


@pytest.mark.parametrize(
    ("sentence", "part"),
    [
        ("The oedema must be included too.", "the edema"),
        ("Oedema should also be inside the mask.", "edema"),
        ("Include the necrosis as well.", "the necrosis"),
        ("Also the oedema.", "the edema"),
        ("The oedema must not be inside the mask.", None),  # leaves out
        ("The oedema is in the temporal lobe.", None),  # says where
        ("Also segment the enhancing rim.", None),  # asks anew
    ],
)
def test_a_sentence_that_includes_a_part_says_which(sentence, part):
    assert included_part(sentence) == part


@pytest.mark.parametrize(
    ("text", "changed"),
    [
        ("the nodule plus a 5 mm margin", "5 mm margin"),
        ("shrink the core by 3 mm", "shrink the core by 3 mm"),
        ("a margin of 1.5 cm around the enhancing tumour", "margin of 1.5 cm"),
        ("hollow out the nodule", "hollow out"),
        ("the nodule that has grown by 3 mm since the last CT", None),  # growth over time, not a change asked for
        ("the nodule, 0 mm margin", None),
        ("the enhancing rim, 4 mm thick", None),
        ("the spiculated margin of the nodule", None),
    ],
)
def test_a_finding_asked_changed_in_shape_is_told_from_one_described(text, changed):
    assert reshaping(text) == changed


def test_the_writing_around_a_prompt_is_left_out():
    assert unaccented("the oedème of the naïve glioma, 膠腫") == "the oedeme of the naive glioma, 膠腫"
    assert unemphasised("**Task:** the *dead* centre on T2*") == "Task: the dead centre on T2*"
    said = ["Example: kidney -> the kidney mask", "You are an expert radiologist.", "Now: the oedema"]
    assert unframed(said) == ["the oedema"]
    assert unframed(["Act as a fellow; segment the core"]) == ["segment the core"]
    defined = defined_back(["Necrosis here means the dead centre", "Segment that and only that"])
    assert defined == ["Segment the Necrosis"]
    assert defined_back(["The glioma is large", "Segment it"]) == ["The glioma is large", "Segment it"]


def test_what_speaks_of_another_matter_is_told_from_the_request():
    assert dismisses("Incidental 7 mm meningioma, ignore.")
    assert dismisses("She also has a fatty liver.")
    assert dismisses("PMH: hypertension, gout.")
    assert dismisses("72M, atrial fibrillation on apixaban.")
    assert dismisses("A CT head in 2019 was normal.")
    assert not dismisses("72M: please segment the nodule in the right upper lobe.")  # it asks
    assert not dismisses("Untreated glioma of the left temporal lobe.")
    assert anchored("right frontal GBM") and anchored("the nodule in the right upper lobe")
    assert not anchored("the mass in the left frontal lobe")  # a lobe of the brain says no disease


def test_a_prompt_passed_from_code_is_read_as_its_value_and_prose_is_left_as_it_is():
    assert from_code('seg = m.run(x, prompt="the oedema only")  # tc_mask') == "the oedema only"
    assert from_code("necroPrompt = 'dead centre of the GBM'") == "dead centre of the GBM"
    assert from_code('r = m.run(x, series="T1C", prompt="the enhancing rim")') == "T1C. the enhancing rim"
    assert (
        from_code('def f(x):\n    """Segment the core, no oedema."""\n    return g(x)')
        == "Segment the core, no oedema."
    )
    assert from_code("# the 6 mm nodule, right lower lobe\nmask = tool.run(ct)") == "the 6 mm nodule, right lower lobe"
    prose = 'The report says "round nodule, 6 mm". Segment it.'
    assert from_code(prose) == prose
    data = '{"prompt": "tumour core", "exclude": ["oedema"]}'
    assert from_code(data) == data  # data is read by its keys
