"""The ordered list of sample packages: the order of the README's dataset table, grouped by domain.

Each department module returns its own packages; only this list decides which are generated and in what order.
"""

from __future__ import annotations

from . import (
    fgw,
    gaj,
    ghzyj,
    jtw,
    jw,
    lhsr,
    mzj,
    rsj,
    scjgj,
    sfj,
    stcsm,
    sthjj,
    swj,
    sww,
    tjj,
    tyj,
    whlyj,
    wsjkw,
    yjglj,
    zjw,
)
from .model import Pkg


def build_registry() -> list[Pkg]:
    return [
        # transport 道路交通
        jtw.shanghai_public_parking_lots(),
        jtw.pudong_public_parking_lots_2023(),
        jtw.shanghai_on_street_parking_berths(),
        jtw.shanghai_bus_routes(),
        fgw.shanghai_ev_charging_stations(),
        # environment 资源环境
        sthjj.shanghai_air_quality_hourly(),
        sthjj.key_pollutant_discharge_units(),
        swj.surface_water_quality_monitoring(),
        lhsr.ancient_and_famous_trees(),
        swj.hydrological_station_water_levels(),
        # education-technology 教育科技
        jw.shanghai_primary_secondary_schools(),
        jw.shanghai_kindergartens(),
        stcsm.high_tech_enterprises(),
        stcsm.science_popularization_bases(),
        # social-development 社会发展
        tjj.resident_population_by_district(),
        mzj.marriage_registration_statistics(),
        rsj.vocational_training_institutions(),
        # public-safety 公共安全
        yjglj.emergency_shelters(),
        gaj.police_stations(),
        yjglj.hazardous_chemical_enterprises(),
        gaj.road_traffic_accident_statistics(),
        # culture-leisure 文化休闲
        whlyj.a_level_scenic_spots(),
        whlyj.public_libraries(),
        tyj.public_sports_venues(),
        lhsr.urban_parks(),
        whlyj.museums_and_exhibitions(),
        # health 卫生健康
        wsjkw.medical_institutions(),
        wsjkw.community_health_service_centers(),
        wsjkw.fever_clinics(),
        scjgj.food_safety_inspections_2024(),
        # livelihood 民生服务
        mzj.elderly_care_institutions(),
        mzj.community_elderly_canteens(),
        sww.standard_wet_markets(),
        rsj.public_employment_service_agencies(),
        mzj.temporary_assistance_recipients(),
        mzj.subsistence_allowance_public_notice(),
        # institutions 机构团体
        mzj.social_organizations(),
        mzj.charitable_foundations(),
        sfj.law_firms(),
        # urban-construction 城市建设
        zjw.construction_permits_2024(),
        zjw.construction_permits_2023(),
        ghzyj.land_transactions(),
        # credit 信用服务
        scjgj.enterprise_credit_information(),
        scjgj.abnormal_operation_list(),
        fgw.dishonest_entities_list(),
        # economy 经济建设
        tjj.district_gdp(),
        tjj.main_economic_indicators_monthly(),
        sww.commercial_complexes(),
    ]
